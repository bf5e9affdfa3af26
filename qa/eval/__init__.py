"""``qa eval``: retrieval and answer metrics on SQuAD-format files.

Modules: ``retrieval`` (load the set, index its paragraphs, passage recall), ``answers``
(answer hit@k, abstention, baselines), ``swaps`` (on-topic unanswerable questions: one
salient term swapped for one the question's document never mentions).
"""
