"""Stage 6, answering: rank the sentences of the retrieved passages and quote the best verbatim,
or abstain. (Named ``answering`` because ``qa.answer`` is the public answer function.)

Modules: ``followup`` (carry a previous turn's topic), ``ranking`` (features and the fitted
models in ``ranker.json``), ``pipeline`` (candidates, selection, the cited ``Answer``).
"""
