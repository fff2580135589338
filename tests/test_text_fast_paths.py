"""The fast paths of digest.ingest.cleaning give exactly what the straightforward definition gives.

`reference_clean_text` is the original implementation (every character through
`unicodedata.category`, html.parser on every string); the shipped one skips work that cannot
change the result. Hypothesis compares the two on arbitrary text and on markup-heavy text.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest.cleaning import (
    _BLOCK_TAGS,
    _DROPPED_TAGS,
    _MAX_UNWRAP_ROUNDS,
    clean_text,
    collapse_whitespace,
    truncate,
)
from tests.test_text import html_ish

_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROPPED_TAGS:
            self.dropping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def reference_drop(value: str) -> str:
    out = []
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif category not in ("Cf", "Cs"):
            out.append(char)
    return "".join(out)


def reference_strip_once(value: str) -> str:
    extractor = _Extractor()
    extractor.feed(value)
    extractor.close()
    return reference_drop("".join(extractor.parts))


def reference_clean_text(value: object, *, max_length: int) -> str:
    if value is None:
        return ""
    text = reference_drop(str(value))
    for _ in range(_MAX_UNWRAP_ROUNDS):
        stripped = reference_strip_once(text)
        if stripped == text:
            break
        text = stripped
    text = _TAG_LIKE.sub("‹", text)
    return truncate(" ".join(reference_drop(text).split()), max_length)


controls = st.sampled_from(
    [
        *["\x00", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\u200b", "\u202e", "\ufeff"],
        *["\ud800", "\u00a0", "\u3000", "&#x202e;", "&#8203;", "&#10;", "é", "𝓑", "\t", "\r\n"],
        *["  ", " ", "a  b", " lead", "trail "],
    ]
)
mixed = st.lists(st.one_of(st.text(max_size=8), controls, html_ish), max_size=12).map("".join)


@settings(max_examples=400)
@given(st.one_of(st.text(), mixed, html_ish), st.integers(min_value=2, max_value=300))
def test_clean_text_matches_the_reference_definition(value, max_length):
    assert clean_text(value, max_length=max_length) == reference_clean_text(
        value, max_length=max_length
    )


@settings(max_examples=400)
@given(st.one_of(st.text(), mixed))
def test_collapse_whitespace_matches_the_reference_definition(value):
    assert collapse_whitespace(value) == " ".join(reference_drop(value).split())


def test_a_string_subclass_is_cleaned_like_its_text():
    class Tagged(str):
        pass

    assert clean_text(Tagged("a\u200bb\nc"), max_length=50) == "ab c"
    assert clean_text(12, max_length=50) == "12"


def test_clean_text_never_hands_back_a_safe_string():
    cleaned = clean_text(SafeString('plain "quoted" text'), max_length=50)
    assert cleaned == 'plain "quoted" text'
    assert type(cleaned) is str
