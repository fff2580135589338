from __future__ import annotations

import codecs

import pytest

from digest.ingest.sources.records import SourceError
from digest.ingest.sources.xmlsafety import decode_xml, parse_feed

SMALL_FEED = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>Lab</title>
<item><title>Ünïcode</title><link>https://example.org/a</link></item></channel></rss>"""


def test_an_empty_body_is_an_error():
    with pytest.raises(SourceError, match="empty document"):
        parse_feed(b"  \n")


def test_entity_declarations_are_refused_even_without_expansion():
    document = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><rss version="2.0"/>'
    with pytest.raises(SourceError, match="refused: XML entity declarations"):
        parse_feed(document)


def test_entity_declarations_are_refused_in_utf16_documents_too():
    document = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE x [<!ENTITY a "b">]><rss/>'
    with pytest.raises(SourceError, match="refused"):
        parse_feed(codecs.BOM_UTF16_LE + document.encode("utf-16-le"))


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1", "windows-1252", "utf-16"])
def test_declared_encodings_that_decode_are_read_without_warnings(encoding):
    data = SMALL_FEED.format(encoding=encoding).encode(encoding)
    feed = parse_feed(data)
    assert feed.parsed.entries[0].title == "Ünïcode"
    assert feed.warnings == []


def test_an_unknown_declared_encoding_is_read_as_utf8_with_a_warning():
    text, warnings = decode_xml(SMALL_FEED.format(encoding="klingon").encode("utf-8"))
    assert "Ünïcode" in text
    assert warnings == ["unknown declared encoding 'klingon'; read as UTF-8"]


def test_a_document_that_is_not_a_feed_is_an_error():
    with pytest.raises(SourceError):
        parse_feed(b'{"not": "xml"}')
