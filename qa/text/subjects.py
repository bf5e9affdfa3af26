"""The names a question asks about, in the forms an article may write them.

A why-answer quotes another article's reason only when it is about these names
(:mod:`qa.answering.reasons`); an English question's names come with the dictionary's Chinese
forms, and :func:`qa.text.names.mentioned` also accepts a name written in the other script.

Example::

    >>> question_names("孙正义为什么投资OpenAI？")  # doctest: +SKIP
    [('孙正义',), ('openai',)]
"""
from __future__ import annotations

from qa.text.tokens import search_form, tagged
from qa.text.translate import keyword_language, names

# jieba's part-of-speech tags for names: people (nr, nrt: transliterated), places, organisations,
# other proper nouns, and Latin-script words (OpenAI, GPT-4).
_NAME_TAGS = frozenset({"nr", "nrt", "ns", "nt", "nz", "eng"})


def question_names(question: str) -> list[tuple[str, ...]]:
    """Return the names ``question`` asks about, each as the search-token forms it may take:
    an English question's capitalised names (the last word of a multi-word name, with the
    dictionary's Chinese forms), a Chinese question's words jieba tags as names.

    >>> question_names("why did Microsoft hire Suleyman?")  # doctest: +SKIP
    [('microsoft', '微软', '微软公司'), ('suleyman',)]
    """
    if keyword_language(question) == "en":
        return [(name.lower().split()[-1], *forms) for name, forms in names(question)]
    return list(dict.fromkeys((word.lower(),) for word, tag in tagged(search_form(question))
                              if tag in _NAME_TAGS and len(word) > 1))
