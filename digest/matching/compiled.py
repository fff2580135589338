"""Reader profiles as padded index arrays, the form vectorised scoring works on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from digest.matching.concepts import ConceptBook
from digest.matching.profiles import PaperDoc, ReaderProfile
from digest.matching.text import split_phrases, stem_sequence


@dataclass
class CompiledProfiles:
    """One row per profile; -1 marks an empty slot."""

    positive: np.ndarray  # (P, K) concept ids: topics, own-words phrases, "more like this" papers
    negative: np.ndarray  # (P, K) concept ids of "less like this" papers
    excluded: np.ndarray  # (P, K) exclusion phrase ids (rows of ProfileCompiler.exclusion_masks)
    marked: np.ndarray  # (P, K) edition paper indices the reader already marked


class ProfileCompiler:
    """Maps profiles to concept ids, caching everything that repeats between readers."""

    def __init__(
        self, book: ConceptBook, documents: Mapping[str, PaperDoc], position: Mapping[str, int]
    ) -> None:
        self.book = book
        self.documents = documents
        self.position = position
        self.exclusion_masks: list[np.ndarray] = []
        self._exclusions: dict[tuple[str, ...], int] = {}
        self._phrase_ids: dict[str, list[int]] = {}
        self._exclusion_ids: dict[str, list[int]] = {}

    def compile(self, profiles: Sequence[ReaderProfile]) -> CompiledProfiles:
        positive, negative, excluded, marked = [], [], [], []
        topic_ids: dict[tuple[str, ...], list[int]] = {}
        none: list[int] = []
        for profile in profiles:
            # Topic choices repeat a lot; key on slugs (hashing TopicDoc rehashes every field).
            slugs = tuple(t.slug for t in profile.topics)
            if slugs not in topic_ids:
                topic_ids[slugs] = [self.book.topic(t) for t in profile.topics]
            ids = topic_ids[slugs] + self._phrases(profile.interests)
            if profile.liked:
                ids += self._papers(profile.liked)
            positive.append(ids)
            negative.append(self._papers(profile.disliked) if profile.disliked else none)
            excluded.append(self._excluded(profile.exclusions))
            if profile.liked or profile.disliked:
                seen = (*profile.liked, *profile.disliked)
                marked.append([self.position[i] for i in seen if i in self.position])
            else:
                marked.append(none)
        return CompiledProfiles(*(pad(x) for x in (positive, negative, excluded, marked)))

    def exclusion_matrix(self, papers: int) -> np.ndarray:
        """(exclusions + 1, papers) bool; the last row (for empty slots) excludes nothing."""
        return np.vstack([*self.exclusion_masks, np.zeros(papers, dtype=bool)])

    def _papers(self, paper_ids: Sequence[str]) -> list[int]:
        """Marked papers we have the text of; others cannot be compared, so they are skipped."""
        return [self.book.paper(self.documents[i]) for i in paper_ids if i in self.documents]

    def _phrases(self, interests: str) -> list[int]:
        if interests not in self._phrase_ids:
            self._phrase_ids[interests] = [self.book.words(p) for p in split_phrases(interests)]
        return self._phrase_ids[interests]

    def _excluded(self, exclusions: str) -> list[int]:
        if exclusions not in self._exclusion_ids:
            ids = []
            for phrase in split_phrases(exclusions):
                sequence = stem_sequence(phrase)
                if sequence not in self._exclusions:
                    self._exclusions[sequence] = len(self.exclusion_masks)
                    self.exclusion_masks.append(self.book.phrase_mask(sequence))
                ids.append(self._exclusions[sequence])
            self._exclusion_ids[exclusions] = ids
        return self._exclusion_ids[exclusions]


def pad(lists: list[list[int]]) -> np.ndarray:
    """Ragged lists as one (rows, longest) array padded with -1, built without a row loop."""
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    width = int(lengths.max()) if len(lists) else 0
    out = np.full((len(lists), width), -1, dtype=np.int32)
    if width:
        flat = np.fromiter(
            (v for values in lists for v in values), dtype=np.int32, count=int(lengths.sum())
        )
        rows = np.repeat(np.arange(len(lists)), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[rows, np.arange(len(flat)) - starts] = flat
    return out


def trim(slots: np.ndarray) -> np.ndarray:
    """Drop slot columns that are empty in every row of this chunk."""
    filled = np.nonzero((slots >= 0).any(axis=0))[0]
    return slots[:, : filled.max() + 1] if len(filled) else slots[:, :0]


def local_slots(slots: np.ndarray, empty: int) -> np.ndarray:
    """Slot ids with -1 replaced by `empty`, the index of an all-zero row."""
    return np.where(slots >= 0, slots, empty)
