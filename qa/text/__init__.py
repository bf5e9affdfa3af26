"""Stage 2, text: turning article and question text into what the index and search use.

Modules, one job each:

* ``normalize`` — clean article text for storage (:func:`normalize_article_text`), its
  paragraphs (:func:`paragraph_spans`), lone surrogates UTF-8 cannot hold (:func:`first_surrogate`).
* ``sentences`` — the sentence splitter (:func:`split_sentences`; its module docstring has the rules).
* ``language`` — :func:`is_cjk` and :func:`detect_language` (Chinese or English).
* ``tokens`` — :func:`search_form`, :func:`simplified`, jieba :func:`tokenize`, :func:`word_frequencies` (the
  process's one jieba and OpenCC, loaded lazily and thread-safely).
* ``chunking`` — whole-sentence chunks of an article, the unit that is indexed.
* ``duplicates`` — exact-duplicate keys, MinHash signatures and their LSH band keys.
* ``glossary`` — CC-CEDICT read backwards: English gloss → Chinese words, with proper nouns' short keys, then ECDICT's.
* ``ecdict`` — ECDICT's English → Chinese senses of common words and names, shipped with the package.
* ``translate`` — English question terms to Chinese keywords.
* ``lemmas`` — English words to the glossary's keys: inflected forms, lemmas, shared stems.
* ``names`` — one name in two scripts (苏莱曼 and Suleyman, by pinyin).
* ``phonetic`` — consonant skeletons of Latin names and Chinese transliterations (Elway, 埃尔维).
* ``pairs`` — names an article writes in both scripts (拉里・埃里森(Larry Ellison)).
* ``subjects`` — the names a question asks about.
* ``numerals`` — Chinese numerals as digits (cn2an: 第五十届 → 第50届), for matching a question's numbers.
* ``dates`` — which numbers of a question are dates, and the years an article means by 今年/去年.
* ``salient`` — the names, numbers and measured attributes a question turns on, and whether a text mentions them.
* ``questions`` — the question lexicon (question words and types, Chinese and English).
* ``urls`` — which web links are accepted and rendered.

The names below are re-exported so ``from qa.text import split_sentences`` keeps working.
"""
from __future__ import annotations

from qa.text.language import detect_language, is_cjk
from qa.text.normalize import first_surrogate, normalize_article_text, paragraph_spans
from qa.text.sentences import split_sentences
from qa.text.tokens import search_form, simplified, tokenize, word_frequencies

__all__ = [
    "detect_language", "first_surrogate", "is_cjk", "normalize_article_text", "paragraph_spans",
    "search_form", "simplified", "split_sentences", "tokenize", "word_frequencies",
]
