"""Turning titles, abstracts and what readers type into comparable terms.

Pipeline for one text:

1. Clean without moving characters: LaTeX commands and `$ { }` become spaces, so every word keeps
   its offsets and explanations can quote the original text exactly.
2. Split into segments at sentence punctuation; a phrase or bigram never spans two segments.
3. Words are runs of Unicode letters/digits; hyphenated words are kept whole *and* as their parts
   ("vision-language" gives "vision", "language", "vision language" and "visionlanguage").
   Acronym plurals ("LLMs", "VLMs") lose their "s"; British spellings (-ise, -isation, -our) are
   folded to American ones; accents are dropped; then the Snowball English stemmer runs.
4. Stop words are dropped but leave a gap: "learning from human feedback" gives the bigram
   "human feedback" and not "learn human".
5. Terms are unigrams, bigrams ("diffus polici", space-joined), compounds of hyphenated words,
   and the synonym terms of `synonyms.SYNONYMS` in both directions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import Stemmer

from digest.matching.synonyms import ALIASES, SYNONYMS

_STOP_TEXT = """a about above after again against all also am an and any are as at be because
    been before
    being below between both but by can could did do does doing down during each either etc few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just me more most my neither no nor not of off on once only or other our ours out over
    own same she should so some such than that the their theirs them then there these they this
    those through to too under until up very via was we were what when where which while who whom
    why will with would you your yours e.g i.e vs
    paper papers work works research study studies interested interest anything something stuff
    related new novel recent recently toward towards using based propose proposed"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
"""English function words plus the filler readers type ("papers about", "anything on") and
abstracts repeat ("we propose a novel"). Domain words stay: idf decides how much they matter."""

_CLEAN = re.compile(r"\\[A-Za-z]+|[${}^_~\\]")
_SEGMENT_BREAK = re.compile(r"[.,;:!?()\[\]\"“”«»|&/—–\n\r\t]|\s-\s")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_PART = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # a hyphenated word's parts
_ACRONYM_PLURAL = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z0-9]s$")
_BRITISH_IS = re.compile(r"(?<=[a-z]{3})is(?=(?:ation|ations|e|ed|es|er|ers|ing)$)")
_BRITISH_OUR = re.compile(r"(?<=[a-z]{3})our(?=(?:s|ed|ing|al)?$)")

_stemmer = Stemmer.Stemmer("english")


class Word(NamedTuple):
    """One content word of a text, with where it sits so it can be quoted."""

    stem: str
    start: int
    end: int
    segment: int
    gap: bool  # a stop word or the segment start precedes it: no bigram with the previous word


@dataclass(frozen=True)
class Analysis:
    text: str
    words: tuple[Word, ...]
    terms: tuple[str, ...]  # bag of terms with repeats (term frequency matters)
    canonical_spans: tuple[tuple[str, int, int], ...]  # (acronym term, start, end) spelled out


def clean(text: str) -> str:
    """Remove LaTeX markup by blanking it, so character offsets into `text` stay valid."""
    return _CLEAN.sub(lambda m: " " * len(m.group()), text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Normalise and stem one surface word (lowercase, no accents, US spelling, no plural)."""
    if _ACRONYM_PLURAL.match(word):
        word = word[:-1]
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    word = word.replace("’", "'")
    word = word.removesuffix("'s")
    word = word.replace("'", "")
    word = ALIASES.get(word, word)
    word = _BRITISH_OUR.sub("or", _BRITISH_IS.sub("iz", word))
    return _stemmer.stemWord(word)


def words_of(text: str) -> tuple[list[Word], list[tuple[str, int, int]]]:
    """Content words in order, plus compounds of hyphenated words (kept out of the sequence)."""
    text = clean(text)
    words: list[Word] = []
    compounds: list[tuple[str, int, int]] = []
    bounds = [0]
    for brk in _SEGMENT_BREAK.finditer(text):
        bounds += [brk.start(), brk.end()]
    bounds.append(len(text))
    for segment, (seg_start, seg_end) in enumerate(zip(bounds[::2], bounds[1::2], strict=False)):
        gap = True
        for match in _WORD.finditer(text, seg_start, seg_end):
            parts = list(_PART.finditer(text, match.start(), match.end()))
            if len(parts) > 1:
                joined = "".join(p.group() for p in parts)
                compounds.append((stem(joined), match.start(), match.end()))
            for part in parts:
                if part.group().lower() in STOP_WORDS:
                    gap = True
                    continue
                words.append(Word(stem(part.group()), part.start(), part.end(), segment, gap))
                gap = False
    return words, compounds


@lru_cache(maxsize=1)
def expansions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(acronym, stem sequence) for every spelled-out form, longest first."""
    pairs = []
    for acronym, phrases in SYNONYMS.items():
        for phrase in phrases:
            words, _ = words_of(phrase)
            pairs.append((acronym, tuple(w.stem for w in words)))
    return tuple(sorted(pairs, key=lambda p: -len(p[1])))


@cache
def _expansions_by_first() -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for acronym, sequence in expansions():
        by_first.setdefault(sequence[0], []).append((acronym, sequence))
    return {first: tuple(pairs) for first, pairs in by_first.items()}


def _expansion_matches(words: list[Word], stems: list[str]) -> list[tuple[str, int, int]]:
    """(acronym, start, length) of every spelled-out synonym in one segment of the text."""
    index = _expansions_by_first()
    found = []
    for i, stem_ in enumerate(stems):
        for acronym, sequence in index.get(stem_, ()):
            n = len(sequence)
            if tuple(stems[i : i + n]) == sequence and words[i].segment == words[i + n - 1].segment:
                found.append((acronym, i, n))
    return found


@cache
def _acronym_terms(acronym: str) -> tuple[tuple[str, ...], str, str]:
    """Terms an acronym stands for (from its first expansion) and that expansion's end words."""
    analysis = analyze(SYNONYMS[acronym][0], expand_acronyms=False)
    stems = [w.stem for w in analysis.words]
    return tuple(t for t in analysis.terms if t != acronym), stems[0], stems[-1]


def analyze(text: str, *, expand_acronyms: bool = True) -> Analysis:
    words, compounds = words_of(text)
    stems = [w.stem for w in words]
    terms: list[str] = list(stems) + [c[0] for c in compounds]
    terms += [f"{a} {b}" for a, b, w in zip(stems, stems[1:], words[1:], strict=False) if not w.gap]
    spans: list[tuple[str, int, int]] = []
    for acronym, i, n in _expansion_matches(words, stems):
        terms.append(acronym)
        spans.append((acronym, words[i].start, words[i + n - 1].end))
        if i > 0 and not words[i].gap:
            terms.append(f"{stems[i - 1]} {acronym}")
        if i + n < len(words) and not words[i + n].gap:
            terms.append(f"{acronym} {stems[i + n]}")
    if expand_acronyms:
        for i, word in enumerate(words):
            if word.stem not in SYNONYMS:
                continue
            expansion, first, last = _acronym_terms(word.stem)
            terms += expansion
            if i > 0 and not word.gap:
                terms.append(f"{stems[i - 1]} {first}")
            if i + 1 < len(words) and not words[i + 1].gap:
                terms.append(f"{last} {stems[i + 1]}")
    return Analysis(text, tuple(words), tuple(terms), tuple(spans))


def query_terms(text: str) -> set[str]:
    """Terms of something a reader typed (or a topic keyword), each synonym group counted once.

    Papers carry both the acronym and its spelled-out words, so a query only needs the acronym:
    "preference optimization for large language models" gives {prefer, optim, prefer optim, llm},
    and the LLM part weighs one term, not six.
    """
    words, _ = words_of(text)
    stems = [w.stem for w in words]
    matches = [(acronym, i, i + n) for acronym, i, n in _expansion_matches(words, stems)]
    matches = [  # "large language model" also contains "language model": keep the longer one
        (a, s, e)
        for a, s, e in matches
        if not any(b == a and t <= s and e <= f and (t, f) != (s, e) for b, t, f in matches)
    ]
    terms: set[str] = {acronym for acronym, _, _ in matches}
    # Only innermost matches replace their words: "multi-agent reinforcement learning" keeps
    # "multi agent" beside {rl, marl}, so papers saying "multi-agent systems ... RL" still match.
    covered: set[int] = set()
    for acronym, start, end in matches:
        if any(s >= start and e <= end and (s, e) != (start, end) for _, s, e in matches):
            continue
        covered.update(range(start, end))
        if start > 0 and not words[start].gap:
            terms.add(f"{stems[start - 1]} {acronym}")
        if end < len(words) and not words[end].gap:
            terms.add(f"{acronym} {stems[end]}")
    terms.update(s for i, s in enumerate(stems) if i not in covered)
    terms.update(
        f"{stems[i - 1]} {stems[i]}"
        for i in range(1, len(words))
        if not words[i].gap and i not in covered and i - 1 not in covered
    )
    return terms


def stem_sequence(text: str) -> tuple[str, ...]:
    """The content-word stems of a short phrase, as used for exact phrase checks."""
    return tuple(w.stem for w in words_of(text)[0])


def split_phrases(text: str) -> list[str]:
    """A reader's list: one phrase per comma, semicolon or line; blanks dropped."""
    return [p.strip() for p in re.split(r"[,;\n\r]+", text) if p.strip()]


_QUOTED = re.compile(r"[\"“”‘’]([^\"“”‘’]+)[\"“”‘’]|(?<!\w)'([^']+)'(?!\w)")


def quoted_parts(phrase: str) -> tuple[list[str], str]:
    """Quoted sub-phrases the reader insists on, and the phrase with its quotes removed."""
    quoted = [(a or b).strip() for a, b in _QUOTED.findall(phrase) if (a or b).strip()]
    return quoted, _QUOTED.sub(lambda m: m.group(1) or m.group(2), phrase)
