"""The one door every XML document goes through before feedparser sees it.

feedparser on stock expat expands nested internal entities (a few hundred bytes can become a
300,000-character title), so documents declaring entities are refused outright: no feed we read
needs them. The check looks for `<!ENTITY` anywhere, so a feed quoting that text in an entry is
refused too; that false positive is accepted as the price of a check simple enough to trust.

Encoding policy: decode with the declared encoding (BOM, then the XML declaration, else UTF-8);
bytes that do not decode are replaced with U+FFFD and a warning names how many. Replacement
damages only the bad bytes, where guessing another charset (say windows-1252) would garble every
correct multi-byte character in a mostly-UTF-8 feed; a feed with a few bad bytes is still worth
reading. The decoded text is re-encoded as UTF-8 with a matching declaration.

Bozo policy (feedparser's flag for malformed documents): no entries -> SourceError naming the
problem; some entries -> keep them and add a warning, because feedparser's lenient parser recovers
every complete entry of a truncated or sloppy feed. (fields.collect also refuses a malformed
document whose entries all turn out unusable, so breakage never reads as an empty listing.)
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field

import feedparser

from digest.ingest.sources.records import SourceError

_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_ENTITY_IN_TEXT = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?\?>", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class SafeFeed:
    """feedparser's result for a document that passed the checks, and what was noticed on the
    way."""

    parsed: feedparser.FeedParserDict
    warnings: list[str] = field(default_factory=list)
    malformed: bool = False  # feedparser's bozo flag: entries were recovered from a broken document


def decode_xml(data: bytes) -> tuple[str, list[str]]:
    """Return the document as text (declaration dropped) and any encoding warnings."""
    if not data or not data.strip():
        raise SourceError("empty document")
    encoding, body = _detect_encoding(data)
    warnings: list[str] = []
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        warnings.append(f"unknown declared encoding {encoding!r}; read as UTF-8")
        codec = codecs.lookup("utf-8")
    try:
        text = body.decode(codec.name)
    except UnicodeDecodeError:
        text = body.decode(codec.name, errors="replace")
        warnings.append(
            f"{text.count(chr(0xFFFD))} byte sequence(s) not valid {codec.name}; "
            "replaced with U+FFFD"
        )
    if _ENTITY_IN_TEXT.search(text):
        raise SourceError("refused: XML entity declarations")
    return _XML_DECLARATION.sub("", text, count=1), warnings


def _detect_encoding(data: bytes) -> tuple[str, bytes]:
    if _ENTITY_DECLARATION.search(data):
        # Checked on raw bytes too, before any decoding work on a possibly huge hostile body.
        raise SourceError("refused: XML entity declarations")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, data[len(bom) :]
    declared = _DECLARED_ENCODING.match(data)
    return (declared.group(1).decode("ascii") if declared else "utf-8"), data


def parse_feed(data: bytes) -> SafeFeed:
    """Check, decode and parse an RSS/Atom document; raise SourceError if it is unusable."""
    text, warnings = decode_xml(data)
    document = ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")
    # A file-like object: given bytes or str, feedparser may treat them as a URL or a file path.
    parsed = feedparser.parse(io.BytesIO(document))
    entries = parsed.get("entries", [])
    if parsed.get("bozo"):
        problem = _describe(parsed.get("bozo_exception"))
        if not entries:
            raise SourceError(f"malformed feed with no entries: {problem}")
        warnings.append(f"malformed feed, kept {len(entries)} entries: {problem}")
    if not parsed.get("version") and not entries:
        raise SourceError("not an RSS or Atom feed")
    return SafeFeed(parsed=parsed, warnings=warnings, malformed=bool(parsed.get("bozo")))


def _describe(exception: object) -> str:
    text = " ".join(str(exception or "unknown problem").split())
    return f"{type(exception).__name__}: {text[:200]}" if exception else text
