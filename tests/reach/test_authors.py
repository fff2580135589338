"""Author names as readers type them and arXiv prints them."""

from __future__ import annotations

import pytest

from subscriptions.authors import AuthorError, display_name, name_key, parse_authors, same_author


@pytest.mark.parametrize(
    "typed", ["Ada Lovelace", "Lovelace, Ada", "ada  LOVELACE", "Ádá Lovelace", " Ada\tLovelace "]
)
def test_accents_case_spacing_and_order_do_not_change_the_name(typed: str) -> None:
    assert name_key(typed) == "lovelace|ada"


def test_particles_stay_with_the_surname() -> None:
    assert name_key("Ludwig van Beethoven") == "van beethoven|ludwig"
    assert name_key("van Beethoven, Ludwig") == "van beethoven|ludwig"


@pytest.mark.parametrize(
    ("followed", "printed", "same"),
    [
        ("Ada Lovelace", "Ada Lovelace", True),
        ("Ada Lovelace", "A. Lovelace", True),
        ("A. Lovelace", "Ada Lovelace", True),
        ("Ada Lovelace", "Ada B. Lovelace", True),
        ("Ada Lovelace", "Alan Lovelace", False),
        ("Ada Lovelace", "Ada Byron", False),
        ("José Pérez", "Jose Perez", True),
        ("Jose Perez", "José Pérez", True),
        ("J.-P. Serre", "Jean-Pierre Serre", True),
        ("Kaiming He", "Kaiming Hershey", False),
    ],
)
def test_printed_names_belong_to_a_followed_author_when_surname_and_initials_agree(
    followed: str, printed: str, same: bool
) -> None:
    assert same_author(name_key(followed), printed) is same


def test_a_list_is_one_name_a_line_shown_as_typed_first_names_first() -> None:
    assert parse_authors("Lovelace, Ada\nAlan Turing; ada lovelace\n\n") == [
        "Ada Lovelace",
        "Alan Turing",
    ]
    assert display_name("  Turing,   Alan ") == "Alan Turing"


def test_a_surname_alone_is_refused_with_an_example() -> None:
    with pytest.raises(AuthorError, match=r"e\.g\. “Ada Lovelace”"):
        parse_authors("Lovelace")


def test_too_many_or_too_long_names_are_refused() -> None:
    with pytest.raises(AuthorError, match="At most 50"):
        parse_authors("\n".join(f"Ada Lovelace{n}" for n in range(51)))
    with pytest.raises(AuthorError, match="longer than 100"):
        parse_authors("Ada " + "x" * 200)
