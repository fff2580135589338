"""Properties of signed links, for any reader id: they round-trip, any single-character change is
refused, and a token of one purpose never verifies under another."""

from __future__ import annotations

import pytest
from django.core import signing
from hypothesis import given, settings
from hypothesis import strategies as st

from subscriptions.tokens import SALTS, InvalidToken, make_token, read_token, subscriber_id_from

PURPOSES = sorted(SALTS)
ids = st.integers(min_value=1, max_value=2**63 - 1)
# Characters a token can contain, and some it never does.
replacements = st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:.=+/\x00é"
)


@given(subscriber_id=ids, purpose=st.sampled_from(PURPOSES))
def test_any_id_round_trips_under_its_own_purpose(subscriber_id, purpose):
    assert subscriber_id_from(purpose, make_token(purpose, subscriber_id)) == subscriber_id


@settings(max_examples=300)
@given(
    subscriber_id=ids,
    purpose=st.sampled_from(PURPOSES),
    position=st.integers(min_value=0),
    replacement=replacements,
)
def test_any_single_character_change_is_refused(subscriber_id, purpose, position, replacement):
    token = make_token(purpose, subscriber_id)
    position %= len(token)
    if token[position] == replacement:
        replacement = "A" if replacement != "A" else "B"
    tampered = token[:position] + replacement + token[position + 1 :]

    with pytest.raises(InvalidToken):
        read_token(purpose, tampered)


@given(subscriber_id=ids, purpose=st.sampled_from(PURPOSES), cut=st.integers(min_value=1))
def test_a_token_cut_short_or_extended_is_refused(subscriber_id, purpose, cut):
    token = make_token(purpose, subscriber_id)
    for changed in (token[: -(cut % len(token)) or -1], token + "A", "A" + token):
        with pytest.raises(InvalidToken):
            read_token(purpose, changed)


@given(
    subscriber_id=ids,
    pair=st.lists(st.sampled_from(PURPOSES), min_size=2, max_size=2, unique=True),
)
def test_a_token_of_one_purpose_never_verifies_under_another(subscriber_id, pair):
    made_for, used_for = pair

    with pytest.raises(InvalidToken):
        read_token(used_for, make_token(made_for, subscriber_id))


def test_verification_compares_signatures_in_constant_time(monkeypatch):
    """django.core.signing checks the signature with constant_time_compare (hmac.compare_digest);
    this pins that our tokens go through that path rather than a plain ==."""
    calls: list[tuple[str, str]] = []
    real = signing.constant_time_compare

    def spy(first: str, second: str) -> bool:
        calls.append((first, second))
        return real(first, second)

    monkeypatch.setattr(signing, "constant_time_compare", spy)
    token = make_token("manage", 42)

    assert subscriber_id_from("manage", token) == 42
    assert calls and calls[-1][1] == token.rsplit(":", 1)[1]
