"""Webhook URLs: checked before they are saved, encrypted at rest, shown only masked.

A Slack, Discord or Matrix webhook URL is a bearer secret: whoever holds it can post to the
room. It is stored Fernet-encrypted (cryptography's Fernet: AES-128-CBC plus an HMAC, so a
tampered value is refused, not decrypted to garbage) under CHANNEL_KEY, or a key derived from
SECRET_KEY when none is set. Decryption also tries CHANNEL_KEY_FALLBACKS (and, for derived
keys, SECRET_KEY_FALLBACKS), so a key can be rotated: docs/security.md.

A URL is accepted only over https to a host whose every address is public (config.network,
the rule the ingest guard uses), and for Slack and Discord only on the platform's own webhook
host and path. The check here is the first of two: digest/channels/post.py checks the address
it actually connects to, so a name that later resolves to a private address is refused too.
"""

from __future__ import annotations

import base64
import hashlib
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError

from config.network import is_private_address
from subscriptions.models import Channel

MAX_URL_LENGTH = 2000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Each platform's incoming-webhook hosts and path prefixes (None: any public https host).
#   Slack:   https://api.slack.com/messaging/webhooks (hooks.slack.com/services/T…/B…/…;
#            workflow webhooks are hooks.slack.com/triggers/…)
#   Discord: https://discord.com/developers/docs/resources/webhook (…/api/webhooks/{id}/{token})
#   Matrix:  no standard webhook; a bridge such as matrix-hookshot serves one on its own host.
ALLOWED = {
    "slack": ({"hooks.slack.com"}, ("/services/", "/triggers/")),
    "discord": (
        {"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"},
        ("/api/webhooks/",),
    ),
    "matrix": (None, ("/",)),
}
Resolver = Callable[..., list]


def _derived_key(secret: str) -> bytes:
    digest = hashlib.sha256(f"paperboy.channel-url:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _keys() -> list[bytes]:
    """The current key first (it encrypts), then every key that may still decrypt."""
    if settings.CHANNEL_KEY:
        current = [settings.CHANNEL_KEY.encode()]
    else:
        current = [_derived_key(settings.SECRET_KEY)]
        current += [_derived_key(old) for old in settings.SECRET_KEY_FALLBACKS]
    return current + [key.encode() for key in settings.CHANNEL_KEY_FALLBACKS]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(url: str) -> str:
    return _fernet().encrypt(url.encode()).decode()


def decrypt(token: str) -> str:
    """The URL; raises InvalidToken when no configured key opens it (a lost key)."""
    return _fernet().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same URL under the current key (for `manage.py rotate_channel_urls`)."""
    return _fernet().rotate(token.encode()).decode()


__all__ = ["InvalidToken", "check_url", "decrypt", "encrypt", "mask", "reencrypt"]


def mask(url: str) -> str:
    """What pages, the admin and the logs show: the host and the last 4 characters, e.g.
    `https://hooks.slack.com/…WXYZ`. Enough to tell two webhooks apart, useless to post with."""
    parts = urlsplit(url)
    tail = url.rstrip("/")[-4:] if len(url) > 30 else ""
    return f"{parts.scheme}://{parts.hostname or '?'}/…{tail}"[:120]


def _loopback_allowed(scheme: str, host: str) -> bool:
    return settings.CHANNEL_ALLOW_LOOPBACK_HTTP and host in LOOPBACK_HOSTS and scheme == "http"


def check_url(kind: str, url: str, *, resolve: Resolver = socket.getaddrinfo) -> str:
    """The URL, stripped, if a `kind` channel may post to it; else ValidationError saying why.

    `resolve` is socket.getaddrinfo (a test passes a stand-in resolver)."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError("That address is too long to be a webhook URL.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationError("That is not a web address.") from error
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError("That is not a web address: paste the whole webhook URL.")
    if _loopback_allowed(parts.scheme, host):
        return url  # tests only: a local stand-in for the platform (CHANNEL_ALLOW_LOOPBACK_HTTP)
    if parts.scheme != "https":
        raise ValidationError("The webhook URL must start with https://.")
    if parts.username or parts.password:
        raise ValidationError("The webhook URL must not contain a user name or password.")
    hosts, paths = ALLOWED[kind]
    label = Channel.Kind(kind).label
    if hosts is not None and host not in hosts:
        raise ValidationError(f"A {label} webhook URL starts with https://{PRIMARY[kind]}/.")
    if not parts.path.startswith(paths) or parts.path.rstrip("/") in {p.rstrip("/") for p in paths}:
        raise ValidationError(f"That is not a {label} webhook URL: {EXAMPLES[kind]}")
    try:
        addresses = {info[4][0] for info in resolve(host, port or 443, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as error:
        raise ValidationError(f"We could not find the host {host}.") from error
    if not addresses or any(is_private_address(address) for address in addresses):
        raise ValidationError(
            f"{host} is a private or local address: a webhook must be on the public internet."
        )
    return url


PRIMARY = {"slack": "hooks.slack.com", "discord": "discord.com"}
EXAMPLES = {
    "slack": "it looks like https://hooks.slack.com/services/T000/B000/XXXX.",
    "discord": "it looks like https://discord.com/api/webhooks/123/abc.",
    "matrix": "paste the URL your bridge (e.g. matrix-hookshot) gave you.",
}
