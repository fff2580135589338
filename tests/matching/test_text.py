from digest.matching.text import analyze, query_terms, quoted_parts, split_phrases, stem_sequence


def test_hyphenated_words_keep_their_parts_and_the_whole() -> None:
    terms = set(analyze("vision-language models").terms)
    assert {"vision", "languag", "vision languag", "visionlanguag"} <= terms


def test_acronym_plurals_and_lowercase_forms_are_one_term() -> None:
    assert stem_sequence("LLMs") == stem_sequence("llm") == stem_sequence("LLM")
    assert stem_sequence("VLMs") == ("vlm",)


def test_british_and_american_spellings_match() -> None:
    assert stem_sequence("optimisation behaviour") == stem_sequence("optimization behavior")


def test_numbers_and_mixed_tokens_are_kept() -> None:
    assert {"3d", "o1"} <= set(analyze("3D scenes and OpenAI o1").terms)


def test_stop_words_break_bigrams() -> None:
    terms = set(analyze("learning from human feedback").terms)
    assert "human feedback" in terms
    assert "learn human" not in terms


def test_spelled_out_and_acronym_forms_give_the_same_terms() -> None:
    assert set(analyze("LLM agents").terms) == set(analyze("large language model agents").terms)


def test_a_query_counts_a_synonym_group_once() -> None:
    assert query_terms("preference optimization for large language models") == {
        "prefer",
        "optim",
        "prefer optim",
        "llm",
    }


def test_latex_is_blanked_without_moving_offsets() -> None:
    title = r"$\mathcal{B}$-Coder: Value-Based Deep Reinforcement Learning"
    words = analyze(title).words
    assert [title[w.start : w.end] for w in words][:2] == ["B", "Coder"]


def test_readers_lists_split_on_commas_semicolons_and_lines() -> None:
    assert split_phrases("a, b;c\n\n d ") == ["a", "b", "c", "d"]


def test_quoted_phrases_are_found_and_unquoted() -> None:
    assert quoted_parts('"world models" for robotics') == (
        ["world models"],
        "world models for robotics",
    )
    assert quoted_parts("the reader's own words") == ([], "the reader's own words")
