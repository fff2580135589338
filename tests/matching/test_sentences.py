"""A paper's sentences, embedded apart, and the closest one to each facet."""

from __future__ import annotations

import numpy as np

from digest.matching.profiles import PaperDoc
from digest.matching.sentences import SentenceIndex, pack, sentences, unpack


def test_the_title_and_each_sentence_of_four_words_or_more() -> None:
    abstract = (
        "We study  protein binders. Short one. Results improve by 3.5 points on CATH! "
        "Is it fast? Yes. See e.g. the appendix for details of the method."
    )
    assert sentences(" Binder\n design ", abstract) == [
        "Binder design",
        "We study protein binders.",
        "Results improve by 3.5 points on CATH!",
        "See e.g. the appendix for details of the method.",
    ]


def test_a_paper_always_has_one_sentence() -> None:
    assert sentences("", "Too short.") == ["Too short."]
    assert sentences("", "") == ["(untitled)"]
    assert sentences("A title", "") == ["A title"]


def test_stored_rows_read_back_as_float32_within_float16_precision() -> None:
    rows = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    back = unpack(pack(rows), 8)
    assert back.dtype == np.float32 and back.shape == (3, 8)
    assert np.allclose(back, rows, atol=5e-3)


def test_the_closest_sentence_of_each_paper() -> None:
    rng = np.random.default_rng(1)
    counts = [1, 4, 2]
    docs = [
        PaperDoc(id=str(i), title="t", sentence_vectors=rng.normal(size=(n, 5)))
        for i, n in enumerate(counts)
    ]
    facets = rng.normal(size=(300, 5)).astype(np.float32)  # more than one block
    expected = np.array(
        [[max(f @ row for row in np.asarray(d.sentence_vectors)) for d in docs] for f in facets]
    )
    assert np.allclose(SentenceIndex(docs).closest(facets), expected, atol=1e-4)


def test_without_every_paper_s_sentences_there_is_no_index() -> None:
    with_rows = PaperDoc(id="a", title="t", sentence_vectors=np.ones((1, 3)))
    assert SentenceIndex.of([with_rows, PaperDoc(id="b", title="t")]) is None
    assert SentenceIndex.of([]) is None
    assert SentenceIndex.of([with_rows]) is not None
