"""The hostile documents (tests/fixtures/hostile/) that are damaged but still usable: parsers
keep what is sound, and ingesting them stores only that."""

DAMAGED_BUT_USABLE = [
    ("hostile/truncated.atom.xml", "arxiv-listing"),
    ("hostile/utf8_declared_latin1_bytes.rss.xml", "feed"),
    ("hostile/iso_8859_1.rss.xml", "feed"),
    ("hostile/script_tags.rss.xml", "feed"),
    ("hostile/header_injection.rss.xml", "arxiv-listing"),
    ("hostile/long_fields.atom.xml", "arxiv-listing"),
    ("hostile/invalid_dates.atom.xml", "arxiv-api"),
    ("hostile/duplicate_ids.atom.xml", "arxiv-api"),
    ("hostile/hf_hostile.json", "hf-daily"),
]
