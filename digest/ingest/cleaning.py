"""Turn untrusted feed text into short, single-line plain text, and LaTeX into readable Unicode.

Everything a source gives us is untrusted: it may carry HTML, scripts, control characters and
newlines (a newline in a title becomes a header-injection attempt once the title is a Subject).
Parsers pass every text field through `clean_text`; templates still escape at render time.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata

import nh3
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

MAX_TITLE = 500
MAX_ABSTRACT = 5000
MAX_AUTHOR_NAME = 200
MAX_AUTHORS = 100
MAX_SHORT_TEXT = 300  # submitter, organisation, category, keyword
MAX_KEYWORDS = 30
ELLIPSIS = "…"

# Blocks whose edges separate words; inline tags (<i>, <sub>) must not split "H<sub>2</sub>O".
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption"}
    | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"}
    | {"nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"}
)
_DROPPED_TAGS = frozenset({"script", "style", "template", "noscript"})
# Built once: configuring a cleaner costs far more than cleaning a title with it.
_CLEANER = nh3.Cleaner(tags=set(_BLOCK_TAGS), attributes={}, clean_content_tags=set(_DROPPED_TAGS))
# nh3 keeps only the block tags, without attributes, and escapes every other "<": what is left
# of a tag in its output is a bare block tag, which becomes a space.
_BLOCK_TAG = re.compile(r"</?[a-z0-9]+/?>")
# A tag cut off by the end of the text ("x <script"): an HTML parser drops it with everything
# after it; its "<" is neutralised first, so the words stay.
_UNCLOSED_TAG = re.compile(r"<(?=[A-Za-z/!?][^>]*\Z)")
# Text that still looks like a tag once the rounds are over (markup escaped more than
# _MAX_UNWRAP_ROUNDS times): neutralise the "<" so no tag survives.
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_MAX_UNWRAP_ROUNDS = 4  # double-escaped HTML ("&amp;lt;b&amp;gt;") is common; more is hostile

# Unicode categories: controls and line/paragraph separators become spaces; format characters
# (zero-width, bidi overrides) and lone surrogates vanish, since they hide or reorder text.
_REPLACEMENT = {"Cc": " ", "Zl": " ", "Zp": " ", "Cf": None, "Cs": None}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _drop_control_chars(value: str) -> str:
    table = {}
    for char in set(value):
        category = unicodedata.category(char)
        if category in _REPLACEMENT:
            table[ord(char)] = _REPLACEMENT[category]
    return value.translate(table) if table else value


def _strip_html_once(value: str) -> str:
    """One round: nh3 (html5ever) parses the markup, drops scripts and styles with their content
    and every tag but the blocks; blocks become spaces, character references are decoded."""
    value = _UNCLOSED_TAG.sub("‹", value)
    sanitized = _CLEANER.clean(value)
    return html.unescape(_BLOCK_TAG.sub(" ", sanitized))


def collapse_whitespace(value: str) -> str:
    """All runs of whitespace (newlines, tabs, no-break and other Unicode spaces) -> one space;
    control and format characters dropped."""
    return " ".join(_drop_control_chars(value).split())


def truncate(value: str, max_length: int) -> str:
    """Cap at max_length characters, cutting at a word boundary and ending with an ellipsis."""
    if len(value) <= max_length:
        return value
    if max_length <= len(ELLIPSIS):
        return value[:max_length]
    cut = value[: max_length - len(ELLIPSIS) + 1]
    head, space, _ = cut.rpartition(" ")
    # A single enormous "word" (a URL, a hostile blob) is cut hard rather than dropped entirely.
    if not space or len(head) < max_length // 2:
        head = cut[:-1]
    return head.rstrip() + ELLIPSIS


def clean_text(value: object, *, max_length: int) -> str:
    """Plain, single-line text from untrusted input: tags stripped, entities decoded, scripts and
    styles dropped, whitespace collapsed, capped on a word boundary. Idempotent.

    Known loss: text that looks like markup is treated as markup ("a<b and c>d" loses
    "<b and c>"), and a "<" left before a letter becomes "‹" so no tag can survive ("x<y" ->
    "x‹y"); "p<0.05" and "a < b" are untouched.
    """
    if value is None:
        return ""
    # Always a plain str: a subclass (Django's SafeString) must not carry its markings through.
    text = str.__str__(value) if isinstance(value, str) else str(value)
    text = _SURROGATE.sub("", text)  # nh3 only takes valid Unicode; they would be dropped anyway
    for _ in range(_MAX_UNWRAP_ROUNDS):
        stripped = _strip_html_once(text)
        if stripped == text:
            break
        text = stripped
    text = _TAG_LIKE.sub("‹", text)
    # Character references may have decoded to controls or format characters ("&#x202e;").
    return truncate(collapse_whitespace(text), max_length)


# --- LaTeX ---------------------------------------------------------------------------------

# Only characters with a Unicode super/subscript form; anything else keeps its ^/_ marker.
_SUPERSCRIPTS = dict(zip("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾", strict=True))
_SUPERSCRIPTS.update(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", strict=True))
_SUPERSCRIPTS.update(zip("ABDEGHIJKLMNOPRTUVW", "ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", strict=True))
_SUBSCRIPTS.update(zip("aehijklmnoprstuvx", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))

_SCRIPT_MARK = re.compile(r"(?P<mark>[\^_])(?:\{(?P<group>[^{}\\$]{1,12})\}|(?P<char>[A-Za-z0-9]))")
# Math spans: $...$ whose content neither starts nor ends with a space, so "$5 and $10" stays.
_MATH_SPAN = re.compile(r"(?<!\\)\$(?=\S)(?P<body>[^$]*?\S)(?<!\\)\$")
_LATEX_HINT = re.compile(r"\\[A-Za-z@]|\\[\\{}$%&_#^]|[\^{}]|\$\S")
# Characters pylatexenc would swallow (comment, alignment, lone "$") unless protected.
_PROTECT = {"%": "\ue000", "&": "\ue001", "$": "\ue002", "~": "\ue003"}
_ESCAPED = {"\\%": "%", "\\&": "&", "\\$": "$", "\\#": "#", "\\_": "_"}


def _bold_script(letter: str) -> str:
    # Mathematical bold script has no holes (plain script borrows ℬ, ℰ... from another block),
    # so \mathcal{B} renders as 𝓑 consistently in every font that has the block.
    if "A" <= letter <= "Z":
        return chr(0x1D4D0 + ord(letter) - ord("A"))
    if "a" <= letter <= "z":
        return chr(0x1D4EA + ord(letter) - ord("a"))
    return letter


def _mathcal(node: object, l2tobj: LatexNodes2Text) -> str:
    # pylatexenc passes the converter only to a parameter spelled exactly `l2tobj`.
    arguments = node.nodeargd.argnlist if node.nodeargd else []
    rendered = l2tobj.nodelist_to_text([a for a in arguments if a is not None])
    return "".join(_bold_script(c) for c in rendered)


def _latex_context() -> object:
    context = get_default_latex_context_db().filter_context(keep_categories=None)
    context.add_context_category(
        "paperboy", prepend=True, macros=[MacroTextSpec("mathcal", simplify_repl=_mathcal)]
    )
    return context


# pylatexenc logs a WARNING for every malformed macro it meets; latex_to_unicode already falls
# back on trouble, so these would only flood the ingest logs with hostile titles.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)

_CONVERTER = LatexNodes2Text(
    latex_context=_latex_context(), math_mode="text", strict_latex_spaces=False
)


def _scripts_to_unicode(text: str, *, in_math: bool) -> str:
    """x^2 -> x², a_{ij} -> aᵢⱼ when every character has a Unicode form; else left alone.
    Outside math only "^" counts: "_" is far more often part of a name (snake_case)."""

    def replace(match: re.Match[str]) -> str:
        table = _SUPERSCRIPTS if match["mark"] == "^" else _SUBSCRIPTS
        if match["mark"] == "_" and not in_math:
            return match[0]
        body = match["group"] if match["group"] is not None else match["char"]
        if all(c in table for c in body):
            return "".join(table[c] for c in body)
        return match[0]

    return _SCRIPT_MARK.sub(replace, text)


def _prepare(text: str) -> str:
    """Unicode scripts inside and outside math, then shield characters pylatexenc would eat."""
    pieces, last = [], 0
    for span in _MATH_SPAN.finditer(text):
        pieces.append(_protect(_scripts_to_unicode(text[last : span.start()], in_math=False)))
        pieces.append("$" + _scripts_to_unicode(span["body"], in_math=True) + "$")
        last = span.end()
    pieces.append(_protect(_scripts_to_unicode(text[last:], in_math=False)))
    return "".join(pieces)


def _protect(text: str) -> str:
    for escaped, literal in _ESCAPED.items():
        text = text.replace(escaped, _PROTECT.get(literal, literal))
    return "".join(_PROTECT.get(c, c) for c in text)


def _unprotect(text: str) -> str:
    for literal, placeholder in _PROTECT.items():
        text = text.replace(placeholder, literal)
    return text


def latex_to_unicode(text: str) -> str:
    """Readable Unicode for titles that carry LaTeX ($\\mathcal{B}$-Coder -> 𝓑-Coder,
    MedS^3 -> MedS³). Text without LaTeX comes back unchanged apart from whitespace; on any
    parser trouble the (collapsed) source is returned, so this never raises and never empties.
    """
    source = collapse_whitespace(text or "")
    if not _LATEX_HINT.search(source):
        return source
    return _render_latex(source)


# pylatexenc takes about a millisecond per title; the same titles come back in every listing
# that cross-lists a paper and in every re-ingest, so recent renderings are remembered.
@functools.lru_cache(maxsize=4096)
def _render_latex(source: str) -> str:
    prepared = _prepare(source)
    try:
        rendered = _CONVERTER.latex_to_text(prepared)
    # pylatexenc's walker can raise anything on hostile input (its own errors, IndexError,
    # RecursionError on deep nesting); a title must still render, so fall back to the source.
    except Exception:  # noqa: BLE001
        return source
    result = collapse_whitespace(_unprotect(rendered))
    # A macro missing its arguments (`\frac{$`) renders as its raw template, e.g. "%s/%s".
    if not result or ("%s" in result and "%s" not in source):
        return source
    return result


def clear_caches() -> None:
    """Forget remembered LaTeX renderings (the benchmark measures a cold start)."""
    _render_latex.cache_clear()
