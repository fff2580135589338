"""Words for the lexical half of matching: what readers type and what papers say, made comparable.

One analyzer for papers and readers: LaTeX commands and `$ { } ^ _ \\` become spaces, text is
lowercased, words are runs of letters and digits, English function words and the filler readers
type ("papers about", "anything on") are dropped, and the Snowball English stemmer runs, so
"reinforcement learning" meets "reinforcement-learned" and "LLMs" meets "LLM".
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_STOP_TEXT = """a about above after again against all also am an and any are as at be
    because been before
    being below between both but by can could did do does doing down during each either etc few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just me more most my neither no nor not of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very via was we were what when where which while
    who whom why will with would you your yours e.g i.e vs paper papers work works research
    study studies interested interest interests anything something stuff related new novel
    recent recently toward towards using based propose proposed especially particularly mainly
    im i'm like"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_LATEX = re.compile(r"\\[A-Za-z]+|[${}^_~\\]")
_WORD = re.compile(r"[^\W_]+")
QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
_stemmer = Stemmer.Stemmer("english")


def clean(text: str) -> str:
    return _LATEX.sub(" ", text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and word[:-1].isupper():
        word = word[:-1]  # acronym plurals: "LLMs" -> "LLM"
    return _stemmer.stemWord(word.lower())


def content_words(text: str) -> list[str]:
    """The words that carry meaning, as typed (lowercased), in order."""
    return [w for w in _WORD.findall(clean(text)) if w.lower() not in STOP_WORDS]


def terms(text: str) -> list[str]:
    """Stems of the content words: the analyzer of the tf-idf index, for papers and readers."""
    return [stem(w) for w in content_words(text)]


def split_phrases(text: str) -> list[str]:
    """A reader's list: one phrase per comma, semicolon or line; blanks dropped."""
    return [p.strip() for p in re.split(r"[,;\n\r]+", text) if p.strip()]


def quoted_phrases(text: str) -> list[str]:
    """Phrases the reader put in double quotes: they want those exact words."""
    return [q.strip() for q in QUOTED.findall(text) if q.strip()]


def stem_line(text: str) -> str:
    """Every word stemmed, stop words kept, space-padded: a phrase occurs in a text when its
    stem line is a substring of the text's ("diffusion policies" finds "diffusion policy",
    "LLM" finds "LLMs", never "LLMOps")."""
    return " " + " ".join(stem(w) for w in _WORD.findall(clean(text))) + " "


def contains_phrase(text: str, phrase: str) -> bool:
    needle = stem_line(phrase)
    return needle.strip() != "" and needle in stem_line(text)
