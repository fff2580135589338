"""The one rule for turning what a visitor typed into the address we store: one reader per mailbox.

Every entry point (the sign-up, send-my-link and change-address forms, `services`, the `subscribe`
command) goes through `normalize_address`:

1. Strip surrounding whitespace and apply Unicode NFKC, so full-width and other compatibility
   forms (full-width `ada@example.org`, U+FF41...) become the plain letters they stand for.
2. The local part (before the last @) must then be plain ASCII. Mail to non-ASCII local parts
   needs SMTPUTF8, which most mail services and Django's validator do not accept, and a
   non-ASCII letter there is far more often a look-alike (a Cyrillic U+0430 in a Latin name)
   than a real mailbox. The local part keeps its letter case as typed (RFC 5321 lets a server
   treat it as case-sensitive; none we know of does), and addresses are *compared*
   case-insensitively: the database has a unique index on lower(email), and
   `Subscriber.objects.by_email` uses iexact.
3. The domain is lower-cased and IDNA-encoded (UTS 46 mapping, so `BÜCHER.de`, `bücher.de` and
   `xn--bcher-kva.de` are one domain and invisible characters such as U+200B disappear). A label
   that mixes Latin, Cyrillic or Greek letters (`example.org` typed with a Cyrillic U+0430) is
   refused: browsers show such names as punycode for the same reason. A label wholly in one
   script is accepted (`почта.рф` is a real domain).

Sub-addresses (`ada+papers@`) and dots in Gmail local parts are different mailboxes by the
standard, so they stay different readers; double opt-in means each must confirm anyway.
"""

from __future__ import annotations

import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_LENGTH = 254  # RFC 5321 path limit, and the model field's max_length
CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


class InvalidAddress(ValueError):
    """The text cannot be a mailbox we accept; the message is shown to the visitor."""


def _scripts(text: str) -> set[str]:
    """The look-alike-prone scripts whose letters appear in `text` (by Unicode character name)."""
    scripts = set()
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
            if script in CONFUSABLE_SCRIPTS:
                scripts.add(script)
    return scripts


def _normalize_domain(domain: str) -> str:
    labels = domain.split(".")
    for label in labels:
        if len(_scripts(label)) > 1:
            raise InvalidAddress(
                "The domain mixes letters from different alphabets (for example a Cyrillic "
                "letter that looks like a Latin one). Please type the address again."
            )
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except idna.IDNAError as error:
        raise InvalidAddress("Enter a valid email address.") from error


def normalize_address(raw: str) -> str:
    """The canonical form of a valid address, or InvalidAddress with a message for the visitor."""
    # Bound the work before any Unicode processing: a 1 MB "address" is refused at once.
    if len(raw) > 4 * MAX_LENGTH:
        raise InvalidAddress(f"An email address has at most {MAX_LENGTH} characters.")
    text = unicodedata.normalize("NFKC", raw.strip())
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidAddress("Enter a valid email address.")
    if not local.isascii():
        if len(_scripts(local)) > 1:
            raise InvalidAddress(
                "The part before the @ mixes letters from different alphabets (for example a "
                "Cyrillic letter that looks like a Latin one). Please type the address again."
            )
        raise InvalidAddress(
            "The part before the @ can only use Latin letters, digits and . _ % + - "
            "(we cannot deliver to other characters there)."
        )
    address = f"{local}@{_normalize_domain(domain)}"
    if len(address) > MAX_LENGTH:
        raise InvalidAddress(f"An email address has at most {MAX_LENGTH} characters.")
    try:
        validate_email(address)
    except ValidationError as error:
        raise InvalidAddress("Enter a valid email address.") from error
    return address


def same_mailbox(first: str, second: str) -> bool:
    """Whether two stored (already normalised) addresses name one mailbox."""
    return first.casefold() == second.casefold()
