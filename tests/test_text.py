from __future__ import annotations

import unicodedata

import pytest
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from digest.ingest.cleaning import clean_text, collapse_whitespace, latex_to_unicode, truncate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>Hello&nbsp;<b>world</b></p>", "Hello world"),
        ("a<br>b<p>c</p>d", "a b c d"),
        ("H<sub>2</sub>O", "H2O"),
        ("x<script>alert(1)</script>y<style>p{}</style>z", "xyz"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;safe", "safe"),
        ("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;", "bold"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("line one\nline two\r\n\tthree", "line one line two three"),
        ("wide\u3000space\u00a0and\u2028separator", "wide space and separator"),
        ("zero\u200bwidth and \u202eoverride", "zerowidth and override"),
        ("p<0.05 and 50% of $5", "p<0.05 and 50% of $5"),
        ("trailing x <script", "trailing x ‹script"),
        (None, ""),
    ],
)
def test_clean_text_leaves_plain_single_line_text(value, expected):
    assert clean_text(value, max_length=200) == expected


def test_clean_text_caps_on_a_word_boundary_with_an_ellipsis():
    assert clean_text("alpha beta gamma delta", max_length=12) == "alpha beta…"


def test_a_single_enormous_word_is_cut_hard():
    assert clean_text("x" * 50, max_length=10) == "x" * 9 + "…"


def test_a_string_subclass_or_a_number_is_cleaned_like_its_text():
    class Tagged(str):
        pass

    assert clean_text(Tagged("a\u200bb\nc"), max_length=50) == "ab c"
    assert clean_text(12, max_length=50) == "12"


def test_clean_text_never_hands_back_a_safe_string():
    cleaned = clean_text(SafeString('plain "quoted" text'), max_length=50)
    assert cleaned == 'plain "quoted" text'
    assert type(cleaned) is str


def test_truncate_leaves_short_text_alone():
    assert truncate("short", 10) == "short"


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("$\\mathcal{B}$-Coder: Value-Based", "𝓑-Coder: Value-Based"),
        (
            "MedS^3: Towards Medical Small Language Models",
            "MedS³: Towards Medical Small Language Models",
        ),
        ("$x^2$ and $a_{ij}$", "x² and aᵢⱼ"),
        ("$O(n^{2})$ time", "O(n²) time"),
        ("$\\alpha$-helix and $\\ell_1$", "α-helix and ℓ₁"),
        ("$\\mathbb{R}^n$", "ℝⁿ"),
        ("\\textbf{Bold} claim", "Bold claim"),
        ("100\\% sure", "100% sure"),
        ("$\\times$10 faster", "×10 faster"),
        ("$x_{\\theta}$ has no subscript theta", "x_θ has no subscript theta"),
    ],
)
def test_latex_becomes_readable_unicode(source, rendered):
    assert latex_to_unicode(source) == rendered


@pytest.mark.parametrize(
    "plain",
    [
        "50% of the cost",
        "It costs $5 and $10",
        "snake_case names survive",
        "A--B --- C",
        "C++ & Rust",
        "approx ~10x faster",
        "Café naïve",
    ],
)
def test_text_without_latex_comes_back_unchanged(plain):
    assert latex_to_unicode(plain) == plain


@pytest.mark.parametrize(
    "broken", ["{" * 5000, "\\begin{foo}", "$\\frac{$", "\\\\", "$\\mathcal{}$"]
)
def test_broken_latex_never_raises_and_never_empties(broken):
    assert latex_to_unicode(broken)


def test_a_macro_missing_its_arguments_falls_back_to_the_source():
    assert latex_to_unicode("\\frac{$ oops") == "\\frac{$ oops"


def is_single_clean_line(text: str) -> bool:
    return all(
        unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text
    ) and text == " ".join(text.split())


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_clean_text_output_is_one_clean_line_within_the_cap(value, max_length):
    cleaned = clean_text(value, max_length=max_length)
    assert len(cleaned) <= max_length
    assert is_single_clean_line(cleaned)


html_ish = st.lists(
    st.one_of(
        st.text(max_size=10),
        st.sampled_from(
            [
                "<b>",
                "</b>",
                "<script>",
                "</script>",
                "&lt;",
                "&gt;",
                "&amp;",
                "<",
                ">",
                "&",
                "\n",
                "\u200b",
                "<p>",
                "&amp;lt;script&amp;gt;",
                "<!--",
                "-->",
                " ",
            ]
        ),
    ),
    max_size=25,
).map("".join)


@given(st.one_of(st.text(), html_ish), st.integers(min_value=2, max_value=300))
def test_clean_text_is_idempotent(value, max_length):
    once = clean_text(value, max_length=max_length)
    assert clean_text(once, max_length=max_length) == once


@given(html_ish)
def test_clean_text_never_lets_a_script_tag_through(value):
    assert "<script" not in clean_text(value, max_length=1000).lower()


latex_ish = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.sampled_from(
            [
                "$",
                "\\",
                "{",
                "}",
                "^",
                "_",
                "%",
                "&",
                "~",
                "\\mathcal{B}",
                "\\frac",
                "\\begin{x}",
                "\\end{y}",
                "$x^2$",
                "\\alpha",
                "\\\\",
                "^{",
                "_{ij}",
                "\\mathbb{R}",
            ]
        ),
    ),
    max_size=20,
).map("".join)


@given(st.one_of(st.text(), latex_ish))
def test_latex_to_unicode_never_raises_and_never_empties(value):
    rendered = latex_to_unicode(value)
    if collapse_whitespace(value):
        assert rendered
    assert "\n" not in rendered
