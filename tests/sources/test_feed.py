from __future__ import annotations

import pytest

from digest.ingest.sources import feed


@pytest.fixture
def result(fixture_bytes):
    return feed.parse(fixture_bytes("lab_blog.rss.xml"))


def test_it_picks_the_strongest_id_for_each_item(result):
    assert [record.canonical_id for record in result.records] == [
        "doi:10.5555/paperboy-demo.0001",
        "url:https://lab.example.org/posts/2025/03/open-house",
        "2406.04806",
        "doi:10.5555/paperboy-demo.0002",
    ]
    assert result.skipped == 0


def test_a_doi_item_keeps_its_page_without_tracking_parameters(result):
    record = result.records[0]
    assert record.doi == "10.5555/paperboy-demo.0001"
    assert record.url == "https://lab.example.org/papers/tactile-grasping"
    assert record.title == "Our preprint on tactile grasping is out"
    assert record.abstract == "We release a preprint and code."
    assert record.authors == ["Ada Example", "Grace Sample"]


def test_an_arxiv_link_makes_the_item_the_arxiv_paper(result):
    record = result.records[2]
    assert record.arxiv_id == "2406.04806"
    assert record.version == 2
    assert record.url == "https://arxiv.org/abs/2406.04806"


def test_items_without_a_title_or_a_link_are_skipped_with_a_warning():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title></title><link>https://example.org/a</link></item>
<item><title>No link</title><description>d</description></item>
<item><title>Fine</title><link>https://example.org/b</link></item>
</channel></rss>"""
    result = feed.parse(rss)
    assert [record.canonical_id for record in result.records] == ["url:https://example.org/b"]
    assert result.skipped == 2
    assert len(result.warnings) == 2


def test_an_atom_entry_without_summary_uses_its_content():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Lab</title>
<entry><title>Post</title><id>tag:lab.example.org,2025:1</id>
<link rel="alternate" href="https://lab.example.org/p/1"/>
<content type="html">&lt;p&gt;Body &lt;em&gt;text&lt;/em&gt;&lt;/p&gt;</content></entry></feed>"""
    record = feed.parse(atom).records[0]
    assert record.abstract == "Body text"
    assert record.canonical_id == "url:https://lab.example.org/p/1"
