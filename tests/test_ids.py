from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.ingest.ids import arxiv_id_and_version, canonical_id, normalise_doi, normalise_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("2401.01234v2", ("2401.01234", 2)),
        ("arXiv:2401.01234v3", ("2401.01234", 3)),
        ("ARXIV: 2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/abs/2401.01234v3", ("2401.01234", 3)),
        ("http://arxiv.org/abs/2305.18290v3", ("2305.18290", 3)),
        ("https://arxiv.org/pdf/2401.01234", ("2401.01234", None)),
        ("http://export.arxiv.org/pdf/2401.01234v1.pdf", ("2401.01234", 1)),
        ("https://www.arxiv.org/abs/2401.01234/", ("2401.01234", None)),
        ("oai:arXiv.org:2508.13426v1", ("2508.13426", 1)),
        ("0704.0001", ("0704.0001", None)),
        ("1412.9999v2", ("1412.9999", 2)),
        ("hep-ex/0307015", ("hep-ex/0307015", None)),
        ("hep-ex/0307015v1", ("hep-ex/0307015", 1)),
        ("math.GT/0309136", ("math/0309136", None)),
        ("https://arxiv.org/abs/math.GT/0309136v2", ("math/0309136", 2)),
        ("10.48550/arXiv.2401.01234", ("2401.01234", None)),
        ("https://doi.org/10.48550/arXiv.2401.01234", ("2401.01234", None)),
    ],
)
def test_it_reads_every_common_spelling_of_an_arxiv_id(text, expected):
    assert arxiv_id_and_version(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1234.5678",
        "2401.1234",
        "1501.1234",
        "1412.12345",
        "2413.01234",
        "0612.0001",
        "2401.01234v0",
        "hep-ex/0313015",
        "https://example.org/abs/2401.01234",
        "arXiv",
        "10.1000/x",
    ],
)
def test_it_rejects_things_that_are_not_arxiv_ids(text):
    assert arxiv_id_and_version(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1101/2024.01.01.123456", "10.1101/2024.01.01.123456"),
        ("doi:10.5555/ABC", "10.5555/abc"),
        ("https://doi.org/10.5555/ABC.", "10.5555/abc"),
        ("http://dx.doi.org/10.1000%2Fxyz", "10.1000/xyz"),
        ("not a doi", None),
        ("10.12/too-short-registrant", None),
    ],
)
def test_it_normalises_dois(text, expected):
    assert normalise_doi(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/a/b/", "https://example.com/a/b"),
        ("https://example.com/a?utm_source=x&q=1&fbclid=y#frag", "https://example.com/a?q=1"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://127.0.0.1:8000/x/", "http://127.0.0.1:8000/x"),
        ("http://localhost/x", "http://localhost/x"),
        ("https://user:pw@arxiv.org@evil.example/", "https://evil.example"),
        ("https://example.com/", "https://example.com"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("ftp://example.com/a", None),
        ("https://exa mple.com/", None),
        ("/relative/path", None),
    ],
)
def test_it_normalises_urls_to_one_spelling(url, expected):
    assert normalise_url(url) == expected


def test_canonical_id_prefers_arxiv_then_doi_then_url():
    assert canonical_id(arxiv="2401.01234v2", doi="10.5555/x", url="https://a.org") == "2401.01234"
    assert canonical_id(doi="10.5555/X", url="https://a.org") == "doi:10.5555/x"
    assert canonical_id(url="https://a.org/p/?utm_medium=rss") == "url:https://a.org/p"


def test_canonical_id_finds_arxiv_ids_in_dois_and_links():
    assert canonical_id(doi="10.48550/arXiv.2401.01234") == "2401.01234"
    assert canonical_id(url="https://arxiv.org/pdf/2401.01234v4.pdf") == "2401.01234"
    assert canonical_id(url="https://doi.org/10.5555/Y") == "doi:10.5555/y"


def test_canonical_id_refuses_when_nothing_is_usable():
    with pytest.raises(ValueError, match="no usable"):
        canonical_id(url="javascript:alert(1)")


new_style_ids = st.one_of(
    st.builds(
        "{:02d}{:02d}.{:04d}".format,
        st.integers(8, 14),
        st.integers(1, 12),
        st.integers(0, 9999),
    ),
    st.builds(
        "{:02d}{:02d}.{:05d}".format,
        st.integers(15, 99),
        st.integers(1, 12),
        st.integers(0, 99999),
    ),
)
old_style_ids = st.builds(
    "{}/{:02d}{:02d}{:03d}".format,
    st.sampled_from(["hep-ex", "hep-th", "math", "cond-mat", "q-bio", "astro-ph"]),
    st.integers(0, 99),
    st.integers(1, 12),
    st.integers(0, 999),
)
arxiv_ids = st.one_of(new_style_ids, old_style_ids)
spellings = st.sampled_from(
    [
        "{id}",
        "{id}v{v}",
        "arXiv:{id}v{v}",
        "https://arxiv.org/abs/{id}",
        "http://arxiv.org/abs/{id}v{v}",
        "https://arxiv.org/pdf/{id}v{v}.pdf",
        "http://export.arxiv.org/abs/{id}",
        "oai:arXiv.org:{id}v{v}",
    ]
)


@given(arxiv_ids, spellings, st.integers(1, 99))
def test_every_spelling_of_one_id_gives_the_same_canonical_id(arxiv_id, spelling, version):
    text = spelling.format(id=arxiv_id, v=version)
    assert canonical_id(arxiv=text) == arxiv_id
    assert canonical_id(url=text) == arxiv_id


@given(arxiv_ids, spellings, st.integers(1, 99))
def test_the_version_is_read_when_present(arxiv_id, spelling, version):
    found = arxiv_id_and_version(spelling.format(id=arxiv_id, v=version))
    assert found == (arxiv_id, version if "{v}" in spelling else None)


urls = st.builds(
    "{}://{}{}/{}{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.org", "Lab.Example.ORG", "www.biorxiv.org"]),
    st.sampled_from(["", ":8080", ":443"]),
    st.text("abcxyz/-_.~0123456789", max_size=30),
    st.sampled_from(["", "?a=1", "?utm_source=rss&b=2", "#frag", "?fbclid=x#top"]),
)
dois = st.builds(
    "10.{}/{}{}".format,
    st.integers(1000, 99999999),
    st.text("abcXYZ.-_()0123456789"),
    st.sampled_from("aZ09"),  # DOIs in text lose trailing punctuation, so end on a letter/digit
)


@given(
    st.one_of(
        arxiv_ids.map(lambda i: {"arxiv": i}),
        dois.map(lambda d: {"doi": d}),
        urls.map(lambda u: {"url": u}),
    )
)
def test_canonical_id_is_idempotent(kwargs):
    first = canonical_id(**kwargs)
    key = next(iter(kwargs))
    assert canonical_id(**{key: first}) == first


@given(urls)
def test_normalise_url_is_idempotent(url):
    once = normalise_url(url)
    assert once is not None
    assert normalise_url(once) == once
