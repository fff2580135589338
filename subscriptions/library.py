"""Read the papers a reader likes from pasted ids and links, or a BibTeX or RIS file.

Pure (no database): each paper becomes a `Ref` with an arXiv id (no version), a DOI or a title,
whichever the input has. Bad input raises `LibraryError` with a message fit to show the reader
(it names a line number or a short, quoted piece of the input; templates escape it).

Accepted: arXiv ids of both styles with or without a version (`2401.01234v2`, `hep-th/9901001`,
`math.GT/0309136`), `arXiv:` ids, arxiv.org abs/pdf/html links, Hugging Face paper pages
(huggingface.co/papers/<id>), arXiv DOIs (10.48550/arXiv.<id>) and other DOIs; files as Zotero
and Mendeley export them (UTF-8, BibTeX parsed by bibtexparser, RIS by rispy).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import bibtexparser
import rispy

MAX_FILE_BYTES = 1024 * 1024  # a 500-entry Zotero export with abstracts is ~0.5-1 MB
MAX_ENTRIES = 500
MAX_PASTE_CHARS = 20_000
TITLE_CHARS = 300
SHOWN_CHARS = 40

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Z]{2})?/(?P<number>\d{7})"
_ARXIV_ID = rf"(?:{_NEW}|{_OLD})(?:v\d{{1,3}})?"
_ARXIV = re.compile(
    r"(?:arxiv:\s*"
    r"|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/"
    r"|(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.)?"
    rf"{_ARXIV_ID}(?:\.pdf)?/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
# Found inside longer text (a BibTeX url or note field, a RIS UR line).
_ARXIV_INSIDE = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|arxiv[:.]\s*){_ARXIV_ID}",
    re.IGNORECASE,
)
_DOI = re.compile(r"(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)", re.I)
_SEPARATORS = re.compile(r"[\s,;]+")


class LibraryError(ValueError):
    """The pasted text or the file cannot be read; the message says why, for the reader."""


@dataclass(frozen=True)
class Ref:
    arxiv_id: str = ""
    doi: str = ""
    title: str = ""

    def __str__(self) -> str:
        return self.arxiv_id or self.doi or self.title


def arxiv_id(text: str) -> str:
    """The arXiv id (no version) of one id or link, or "" if it is none."""
    match = _ARXIV.fullmatch(text.strip())
    return _id_of(match) if match else ""


def _id_of(match: re.Match) -> str:
    if match["new"]:
        yymm, number = match["new"].split(".")
        month_ok = 1 <= int(yymm[2:]) <= 12 and int(yymm) >= 704
        return match["new"] if month_ok and (len(number) == 5) == (int(yymm) >= 1501) else ""
    return f"{match['archive'].lower()}/{match['number']}"


def _arxiv_inside(text: str) -> str:
    for match in _ARXIV_INSIDE.finditer(text or ""):
        found = _id_of(match)
        if found:
            return found
    return ""


def _doi(text: str) -> str:
    match = _DOI.fullmatch((text or "").strip())
    return match[1].rstrip(".").lower()[:200] if match else ""


def shown(text: str) -> str:
    """A short piece of the reader's input for an error message (escaped where it is shown)."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def parse_pasted(text: str) -> list[Ref]:
    """Ids, links and DOIs separated by spaces, commas, semicolons or new lines."""
    if len(text) > MAX_PASTE_CHARS:
        raise LibraryError(f"That is more than {MAX_PASTE_CHARS:,} characters; upload a file.")
    refs = []
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        found = arxiv_id(token)
        ref = Ref(arxiv_id=found) if found else Ref(doi=_doi(token))
        if not (ref.arxiv_id or ref.doi):
            raise LibraryError(f"“{shown(token)}” is not an arXiv id, arXiv link or DOI.")
        refs.append(ref)
    return _limited(refs)


def _limited(refs: list[Ref]) -> list[Ref]:
    refs = list(dict.fromkeys(refs))
    if len(refs) > MAX_ENTRIES:
        raise LibraryError(
            f"That is {len(refs):,} papers; at most {MAX_ENTRIES} at a time, please."
        )
    return refs


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with one; nothing else guessed."""
    if len(data) > MAX_FILE_BYTES:
        raise LibraryError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LibraryError(
            "The file is not UTF-8 text. Export it again as UTF-8 (Zotero and Mendeley do by "
            "default)."
        ) from error
    if "\x00" in text:
        raise LibraryError("The file is not a text file.")
    return text


def read_file(data: bytes, *, name: str = "") -> list[Ref]:
    """The papers of a BibTeX or RIS export (told apart by content, then by file name)."""
    text = decode(data)
    head = text.lstrip()[:200]
    if re.match(r"TY  - ", head) or name.lower().endswith(".ris"):
        refs = _from_ris(text)
    elif head.startswith(("@", "%")) or "@" in text or name.lower().endswith(".bib"):
        refs = _from_bibtex(text)
    else:
        raise LibraryError("That is neither a BibTeX (.bib) nor an RIS (.ris) file.")
    if not refs:
        raise LibraryError("No entry in the file has an arXiv id, a DOI or a title.")
    return _limited(refs)


def _title(text: str) -> str:
    text = re.sub(r"[{}]|\\[a-zA-Z]+\s*", "", text or "")
    return " ".join(text.split())[:TITLE_CHARS]


def _ref(*, arxiv: str, doi: str, title: str) -> Ref | None:
    doi = _doi(doi)
    if not arxiv and doi.startswith("10.48550/arxiv."):
        arxiv = arxiv_id(doi)
    ref = Ref(arxiv_id=arxiv, doi="" if arxiv else doi, title=_title(title))
    return ref if (ref.arxiv_id or ref.doi or ref.title) else None


# Cheap counts before the parser runs: bibtexparser takes seconds on a megabyte of hostile
# text (50,000 entries, one entry of 150,000 fields, braces nested a million deep), while a real
# 500-entry export has a few fields and a few dozen braces per entry. Generous for real files.
_MAX_BLOCKS = MAX_ENTRIES + 100  # @string, @comment and @preamble blocks besides entries
_MAX_FIELDS = 40 * MAX_ENTRIES
_MAX_BRACES = 200 * MAX_ENTRIES
_BLOCK_START = re.compile(r"^[ \t]*@", re.MULTILINE)


def _from_bibtex(text: str) -> list[Ref]:
    blocks = len(_BLOCK_START.findall(text))
    if blocks > _MAX_BLOCKS:
        raise LibraryError(f"The file has {blocks:,} entries; at most {MAX_ENTRIES}.")
    if text.count("=") > _MAX_FIELDS or text.count("{") > _MAX_BRACES:
        raise LibraryError(
            "The file has far more fields or braces than a BibTeX export of 500 papers; "
            "nothing was imported."
        )
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # errors are ours to report
    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = (block.start_line or 0) + 1
        raise LibraryError(
            f"The BibTeX entry starting on line {line} is malformed (an unclosed brace or "
            "quote?). Nothing was imported; fix it or export the file again."
        )
    if len(library.entries) > MAX_ENTRIES:
        raise LibraryError(f"The file has {len(library.entries):,} entries; at most {MAX_ENTRIES}.")
    refs = []
    for entry in library.entries:
        fields = {key.lower(): str(field.value) for key, field in entry.fields_dict.items()}
        eprint = fields.get("eprint", "")
        arxiv = arxiv_id(eprint) if eprint else ""
        arxiv = arxiv or _arxiv_inside(" ".join([fields.get(k, "") for k in _ARXIV_FIELDS]))
        ref = _ref(arxiv=arxiv, doi=fields.get("doi", ""), title=fields.get("title", ""))
        if ref:
            refs.append(ref)
    return refs


_ARXIV_FIELDS = ("url", "journal", "note", "howpublished", "archiveprefix", "arxiv", "pdf")


def _from_ris(text: str) -> list[Ref]:
    count = len(re.findall(r"^TY  -", text, re.MULTILINE))
    if count > MAX_ENTRIES:
        raise LibraryError(f"The file has {count:,} entries; at most {MAX_ENTRIES}.")
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except (ValueError, KeyError, IndexError) as error:
        raise LibraryError(
            "The RIS file is malformed (each entry must start with “TY  -” and end with "
            "“ER  -”). Nothing was imported; export it again."
        ) from error
    if len(entries) > MAX_ENTRIES:
        raise LibraryError(f"The file has {len(entries):,} entries; at most {MAX_ENTRIES}.")
    refs = []
    for entry in entries:
        places = [*entry.get("urls", []), entry.get("notes_abstract", "")]
        places += [*entry.get("notes", []), entry.get("journal_name", "")]
        arxiv = _arxiv_inside(" ".join(str(p) for p in places))
        title = entry.get("title") or entry.get("primary_title") or ""
        ref = _ref(arxiv=arxiv, doi=str(entry.get("doi", "")), title=str(title))
        if ref:
            refs.append(ref)
    return refs
