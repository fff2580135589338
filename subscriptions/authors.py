"""Author names as readers type them and as arXiv prints them, made comparable.

Pure (no database). `name_key("Lovelace, Ada")` == `name_key("Ada  LOVELACE")` ==
"lovelace|ada": accents and case are dropped, "Surname, Given" is turned around, and the
given names follow the surname. `same_author(followed_key, printed_name)` is true when the
surnames are equal and each given name agrees with the other's, an initial agreeing with any
name it begins ("A. Lovelace" and "Ada Lovelace"; not "Alan Lovelace" and "Ada Lovelace").
"""

from __future__ import annotations

import re
import unicodedata

MAX_AUTHORS = 50
MAX_NAME_CHARS = 100
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "le", "la"}
_SPLIT_LIST = re.compile(r"[\n;]+")


class AuthorError(ValueError):
    """A list of authors that cannot be used; the message is for the reader."""


def fold(text: str) -> str:
    """Lowercase ASCII letters, digits and spaces: no accents, no punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("đ", "d")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _parts(name: str) -> tuple[list[str], list[str]]:
    """(surname words, given-name words), folded."""
    if "," in name:
        surname, _, given = name.partition(",")
        return fold(surname).split(), fold(given.replace(".", ". ")).split()
    words = fold(name.replace(".", ". ")).split()
    if len(words) < 2:
        return words, []
    # "Ludwig van Beethoven": particles belong to the surname.
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return words[start:], words[:start]


def name_key(name: str) -> str:
    surname, given = _parts(name)
    return f"{' '.join(surname)}|{' '.join(given)}"


def _given_agree(mine: list[str], theirs: list[str]) -> bool:
    for a, b in zip(mine, theirs, strict=False):
        if len(a) == 1 or len(b) == 1:
            if a[0] != b[0]:
                return False
        elif a != b:
            return False
    return True


def same_author(key: str, printed: str) -> bool:
    """Does the printed author name belong to the followed key?"""
    surname, _, given = key.partition("|")
    their_surname, their_given = _parts(printed)
    if " ".join(their_surname) != surname:
        return False
    return _given_agree(given.split(), their_given)


def surname_of(key: str) -> str:
    return key.partition("|")[0]


def display_name(name: str) -> str:
    """ "Lovelace, Ada" -> "Ada Lovelace"; whitespace collapsed; the reader's spelling kept."""
    name = " ".join(name.split())
    if "," in name:
        surname, _, given = name.partition(",")
        name = f"{given.strip()} {surname.strip()}".strip()
    return name


def parse_authors(text: str) -> list[str]:
    """One name a line (or separated by semicolons), as the reader wants it shown."""
    names = []
    for line in _SPLIT_LIST.split(text):
        name = display_name(line)
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            raise AuthorError(f"A name is longer than {MAX_NAME_CHARS} characters.")
        surname, given = _parts(name)
        if not surname or not given:
            raise AuthorError(
                f"Give a first name or initial and a surname, e.g. “Ada Lovelace” (got “{name}”)."
            )
        names.append(name)
    keys = list(dict.fromkeys(name_key(n) for n in names))
    if len(keys) > MAX_AUTHORS:
        raise AuthorError(f"At most {MAX_AUTHORS} authors, please.")
    by_key = {}
    for name in names:
        by_key.setdefault(name_key(name), name)
    return list(by_key.values())
