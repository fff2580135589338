from bench.match_readers import run_match_benchmark
from digest.matching.profiles import TopicDoc


def test_the_benchmark_reports_time_memory_and_grouping() -> None:
    result = run_match_benchmark(readers=3000, papers=150, seed=1)
    assert result["readers"] == 3000 and result["papers"] == 150
    assert 0 < result["distinct_profiles"] <= 3000
    assert result["seconds_total"] > 0 and result["peak_rss_mb"] > 0
    assert 0 < result["mean_list_length"] <= 10


def test_curated_topics_are_complete_and_readable(topics: dict[str, TopicDoc]) -> None:
    assert len(topics) >= 25
    for slug, topic in topics.items():
        assert topic.slug == slug and topic.name and topic.description
        assert len(topic.keywords) >= 5
        assert not topic.name[0].islower()
