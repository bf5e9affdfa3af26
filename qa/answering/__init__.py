"""Stage 6, answering: rank the sentences of the retrieved passages and quote the best verbatim,
or abstain. (Named ``answering`` because ``qa.answer`` is the public answer function.)

Modules, in the order an answer is made: ``followup`` (carry a previous turn's topic into the
query), ``candidates`` (the sentences of the passages), ``question`` (what the ranker knows of
the question, and how much of it a text holds), ``features`` (what the ranker sees of each
sentence), ``models`` (the fitted ranker and answerability models, ``ranker.json``), ``ranking``
(scores and confidence), ``english`` (notes and unmentioned names for English questions),
``refusal`` (the note that says what the closest passages lack when the answer is refused),
``reasons`` (purpose and cause sentences for why-questions, one per article),
``selection`` (which sentences to quote, as spans), ``pipeline`` (the ``Answer``).
"""
