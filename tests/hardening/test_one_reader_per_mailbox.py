"""However an address is typed (letter case, full-width letters, invisible characters, Unicode or
punycode domains) it is one reader; addresses mixing look-alike alphabets are refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from subscriptions import sending, services
from subscriptions.addresses import InvalidAddress, normalize_address
from subscriptions.choices import Choices
from subscriptions.models import Subscriber
from subscriptions.tokens import subscriber_token
from tests import factories as f
from tests.subscriptions.helpers import make_reader, signup_data

SIGNUP = reverse("subscriptions:signup")
CYRILLIC_A = "\u0430"  # looks exactly like Latin "a"


def fullwidth(text: str) -> str:
    """The full-width forms (U+FF01-U+FF5E) of ASCII text, as some keyboards and IMEs type it."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ada@Example.ORG ", "Ada@example.org"),
        (
            fullwidth("ada") + "@" + fullwidth("example") + "." + fullwidth("org"),
            "ada@example.org",
        ),  # full-width forms
        ("ada@exa\u200bmple.org", "ada@example.org"),  # a zero-width space in the domain
        ("ada@BÜCHER.de", "ada@xn--bcher-kva.de"),
        ("ada@xn--bcher-kva.de", "ada@xn--bcher-kva.de"),
        ("ada@почта.рф", "ada@xn--80a1acny.xn--p1ai"),  # one script per label is fine
        ("ada+papers@example.org", "ada+papers@example.org"),  # a sub-address is its own box
    ],
)
def test_an_address_is_stored_in_its_canonical_form(typed, stored):
    assert normalize_address(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        (f"{CYRILLIC_A}da@example.org", "mixes letters from different alphabets"),
        (f"ada@ex{CYRILLIC_A}mple.org", "mixes letters from different alphabets"),
        ("ada@ex\u03b1mple.org", "mixes letters from different alphabets"),  # Greek alpha
        ("\u0430\u0434\u0430@example.org", "only use Latin letters"),  # all-Cyrillic local part
        ("josé@example.org", "only use Latin letters"),
        ("ada@@example.org", "valid email address"),
        ("ada@-example-.org", "valid email address"),
        ("ada", "valid email address"),
    ],
)
def test_look_alike_and_undeliverable_addresses_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidAddress, match=reason):
        normalize_address(typed)


SAME_MAILBOX = [
    "ada@example.org",
    "Ada@Example.org",
    "ADA@EXAMPLE.ORG",
    " ada@example.org\t",
    fullwidth("ada") + "@" + fullwidth("example") + "." + fullwidth("org"),
    "ada@exa\u200bmple.org",
    "ada@EXAMPLE.org",
]


@pytest.mark.django_db(transaction=True)
def test_sign_ups_in_every_spelling_of_one_mailbox_make_one_reader_and_one_mail(
    smtp_server, settings
):
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 1000

    for spelling in SAME_MAILBOX:
        # No topics: a transactional test must not rely on the seeded topic rows.
        data = signup_data(spelling, topics=[])
        response = Client(REMOTE_ADDR="198.51.100.1").post(SIGNUP, data)
        assert response.status_code == 302, spelling

    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().email.lower() == "ada@example.org"
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_look_alike_address_gets_a_form_error_and_no_reader(client, smtp_server):
    make_reader("ada@example.org")

    response = client.post(SIGNUP, signup_data(f"{CYRILLIC_A}da@example.org"))

    assert response.status_code == 400
    assert "different alphabets" in response.content.decode()
    assert Subscriber.objects.count() == 1
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_send_my_link_finds_the_reader_whatever_the_spelling(client, smtp_server):
    make_reader("ada@example.org")

    client.post(reverse("subscriptions:send_link"), {"email": fullwidth("ADA") + "@Example.ORG"})

    assert len(smtp_server.to("ada@example.org")) == 1


@pytest.mark.django_db
def test_changing_to_another_spelling_of_the_same_address_sends_nothing(client, smtp_server):
    reader = make_reader("ada@example.org")
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])

    client.post(manage, {"action": "change_email", "new_email": fullwidth("ADA") + "@EXAMPLE.org"})

    reader.refresh_from_db()
    assert reader.pending_email == ""
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_changing_to_another_readers_address_in_other_letters_sends_nothing(client, smtp_server):
    make_reader("grace@example.org")
    reader = make_reader("ada@example.org")
    manage = reverse("subscriptions:manage", args=[subscriber_token("manage", reader)])

    client.post(
        manage, {"action": "change_email", "new_email": fullwidth("grace") + "@EXAMPLE.org"}
    )

    reader.refresh_from_db()
    assert reader.pending_email == ""
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_the_subscribe_command_uses_the_same_rule(smtp_server):
    call_command("subscribe", "ada@example.org", "--confirmed")
    call_command("subscribe", fullwidth("ADA") + "@Example.ORG", "--confirmed")

    assert Subscriber.objects.count() == 1
    with pytest.raises(CommandError, match="different alphabets"):
        call_command("subscribe", f"{CYRILLIC_A}da@example.org", "--confirmed")


@pytest.mark.django_db
def test_consent_called_directly_uses_the_same_rule(smtp_server):
    make_reader("ada@example.org")

    outcome = services.send_manage_link(email="ada@" + fullwidth("EXAMPLE") + ".org")

    assert outcome == sending.Outcome.MANAGE_LINK_SENT
    with pytest.raises(InvalidAddress):
        services.subscribe(email=f"{CYRILLIC_A}da@example.org", choices=_choices())


def _choices() -> Choices:
    return f.make_choices(interests="graphs")
