"""Reading a reader's library: pasted ids and links, BibTeX and RIS exports, hostile files."""

from __future__ import annotations

import pytest

from subscriptions.library import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    LibraryError,
    Ref,
    arxiv_id,
    parse_pasted,
    read_file,
)

ZOTERO_BIB = rb"""
@article{vaswani_attention_2017,
	title = {Attention {Is} {All} {You} {Need}},
	url = {http://arxiv.org/abs/1706.03762},
	doi = {10.48550/arXiv.1706.03762},
	author = {Vaswani, Ashish and Shazeer, Noam},
	year = {2017},
	note = {arXiv:1706.03762 [cs]},
}

@misc{rafailov_direct_2024,
	title = {Direct {Preference} {Optimization}},
	eprint = {2305.18290v3},
	archivePrefix = {arXiv},
}

@inproceedings{ke_kdd_2019,
	title = {A Paper Only a {DOI} Names},
	doi = {10.1145/3292500.3330701},
}

@book{knuth,
	title = {The {\TeX}book},
	publisher = {Addison-Wesley},
}

@misc{empty_one, year = {2020}}
"""

MENDELEY_RIS = (  # each entry ends with "ER  - " (a trailing space, as exporters write it)
    b"TY  - JOUR\nAU  - Lovelace, Ada\nTI  - Sketch of the Analytical Engine\n"
    b"DO  - 10.1000/ABC.123\nER  - \n\n"
    b"TY  - GEN\nTI  - Learning Robot Policies\n"
    b"UR  - https://arxiv.org/pdf/2406.04806v1.pdf\nER  - \n\n"
    b"TY  - ELEC\nTI  - Notes on a paper from Hugging Face\n"
    b"UR  - https://huggingface.co/papers/2501.12051\nER  - \n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.01234", "2401.01234"),
        ("2401.01234v2", "2401.01234"),
        ("arXiv:1706.03762v7", "1706.03762"),
        ("https://arxiv.org/abs/2305.18290v3", "2305.18290"),
        ("http://arxiv.org/pdf/2305.18290.pdf", "2305.18290"),
        ("https://arxiv.org/pdf/2305.18290v2", "2305.18290"),
        ("https://huggingface.co/papers/2501.12051", "2501.12051"),
        ("https://huggingface.co/papers/2501.12051?utm=x", "2501.12051"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136v1", "math/0309136"),
        ("https://arxiv.org/abs/hep-ex/0307015", "hep-ex/0307015"),
        ("10.48550/arXiv.2106.09685", "2106.09685"),
        ("https://doi.org/10.48550/arXiv.2106.09685", "2106.09685"),
    ],
)
def test_every_common_spelling_of_an_arxiv_id_gives_the_id_without_its_version(
    text: str, expected: str
) -> None:
    assert arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text", ["2413.01234", "0612.1234", "1501.1234", "1412.12345", "2401.0123", "hello", ""]
)
def test_impossible_ids_are_not_ids(text: str) -> None:
    assert arxiv_id(text) == ""


def test_pasted_ids_links_and_dois_are_read_in_order_without_repeats() -> None:
    pasted = "2401.01234v2, https://arxiv.org/abs/2401.01234\nhep-th/9901001; doi:10.1145/ABC.1"

    assert parse_pasted(pasted) == [
        Ref(arxiv_id="2401.01234"),
        Ref(arxiv_id="hep-th/9901001"),
        Ref(doi="10.1145/abc.1"),
    ]


def test_a_pasted_word_that_is_no_id_is_named_in_the_error() -> None:
    with pytest.raises(LibraryError, match="“nonsense” is not an arXiv id"):
        parse_pasted("2401.01234 nonsense")


def test_the_error_quotes_at_most_a_short_piece_of_the_input() -> None:
    with pytest.raises(LibraryError) as caught:
        parse_pasted("x" * 5000)

    assert len(str(caught.value)) < 120


def test_more_than_the_limit_of_pasted_papers_is_refused() -> None:
    many = "\n".join(f"2401.{n:05d}" for n in range(MAX_ENTRIES + 1))

    with pytest.raises(LibraryError, match="at most 500"):
        parse_pasted(many)


def test_a_zotero_bibtex_export_gives_arxiv_ids_dois_and_titles() -> None:
    refs = read_file(ZOTERO_BIB, name="My Library.bib")

    assert refs == [
        Ref(arxiv_id="1706.03762", title="Attention Is All You Need"),
        Ref(arxiv_id="2305.18290", title="Direct Preference Optimization"),
        Ref(doi="10.1145/3292500.3330701", title="A Paper Only a DOI Names"),
        Ref(title="The book"),
    ]


def test_a_mendeley_ris_export_gives_dois_and_arxiv_ids_from_links() -> None:
    refs = read_file(MENDELEY_RIS, name="export.ris")

    assert refs == [
        Ref(doi="10.1000/abc.123", title="Sketch of the Analytical Engine"),
        Ref(arxiv_id="2406.04806", title="Learning Robot Policies"),
        Ref(arxiv_id="2501.12051", title="Notes on a paper from Hugging Face"),
    ]


def test_a_utf8_file_with_a_byte_order_mark_and_accents_is_read() -> None:
    data = "\ufeff@article{a, title={Über Lernen à la carte}, eprint={2401.01234}}".encode()

    assert read_file(data) == [Ref(arxiv_id="2401.01234", title="Über Lernen à la carte")]


def test_malformed_bibtex_is_refused_with_its_line_and_nothing_is_imported() -> None:
    data = (
        b"@article{ok, title={Fine}, eprint={2401.01234}}\n\n@misc{broken, title = {Never closed,\n"
    )

    with pytest.raises(LibraryError, match=r"line 3 is malformed.*Nothing was imported"):
        read_file(data, name="x.bib")


def test_a_file_that_is_not_utf8_text_is_refused_with_a_hint() -> None:
    data = "@article{a, title={M\xfcller}}".encode("latin-1")

    with pytest.raises(LibraryError, match="not UTF-8"):
        read_file(data)


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(LibraryError):
        read_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_a_file_too_large_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(LibraryError, match="larger than 1 MB"):
        read_file(b"@misc{a, title={x}}\n" * (MAX_FILE_BYTES // 19 + 1))


def test_more_than_500_entries_are_refused() -> None:
    data = "".join(f"@misc{{e{n}, title={{Paper {n}}}}}\n" for n in range(MAX_ENTRIES + 1)).encode()

    with pytest.raises(LibraryError, match="501 entries; at most 500"):
        read_file(data, name="big.bib")


def test_text_that_is_neither_bibtex_nor_ris_is_refused() -> None:
    with pytest.raises(LibraryError, match="neither a BibTeX"):
        read_file(b"just some notes\nabout papers\n", name="notes.txt")


def test_a_file_whose_entries_name_no_paper_is_refused() -> None:
    with pytest.raises(LibraryError, match="No entry in the file"):
        read_file(b"@misc{a, year={2020}}", name="x.bib")


def test_markup_in_a_file_is_kept_as_plain_text_for_escaping_later() -> None:
    data = b'@misc{a, title={<script>alert("x")</script> Attention}, eprint={2401.01234}}'

    [ref] = read_file(data)

    assert ref.title == '<script>alert("x")</script> Attention'  # escaped wherever shown


def test_more_than_500_ris_entries_are_refused() -> None:
    data = "".join(f"TY  - JOUR\nTI  - Paper {n}\nER  - \n" for n in range(MAX_ENTRIES + 1))

    with pytest.raises(LibraryError, match="501 entries; at most 500"):
        read_file(data.encode(), name="big.ris")


@pytest.mark.parametrize(
    "data",
    [
        b"@misc{a, title=" + b"{" * 200_000 + b"}",  # braces nested deep
        b"@misc{a," + b"x={y}," * 30_000 + b"}",  # one entry, thousands of fields
    ],
)
def test_hostile_bibtex_shapes_are_refused_before_the_parser_runs(data: bytes) -> None:
    with pytest.raises(LibraryError, match="far more fields or braces"):
        read_file(data, name="x.bib")


def test_an_unterminated_ris_entry_is_not_an_entry() -> None:
    with pytest.raises(LibraryError, match="No entry"):
        read_file(b"TY  - JOUR\nTI  - Never ended\n", name="x.ris")
