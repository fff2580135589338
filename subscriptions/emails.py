"""Every email: one message builder (`Mail` + `render`) and a one-line function per account mail.

`templates/email/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html` make one kind of email.
`render` inlines the CSS, sets the Message-ID on our domain, the anymail tags and metadata,
and, for list mail (digests), the RFC 2369/8058 unsubscribe headers and List-Id.

Account mail (`confirmation_mail`, `manage_link_mail`) carries only our own words and the link:
nothing the visitor typed, not even topics, so a sign-up form cannot be used to mail strangers
a message of someone else's choosing.

Mail sent to many readers at once can be rendered once and filled in per reader: `prerender`
renders the triple (or `render_slotted` one template) with `slot(name)` markers where the
per-reader values go, inlines the CSS once, and `Prerendered.fill` makes a reader's `Parts`,
escaping every value for HTML unless it is our own already-escaped rendering (SafeString).
A `Mail` carrying `parts` gets the same headers, tags and metadata as one rendered whole.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy as email_policy
from email.utils import make_msgid

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape

from subscriptions.models import Subscriber
from subscriptions.tokens import confirmation_token, subscriber_token

_INLINER = css_inline.CSSInliner(keep_style_tags=True)
_WHITESPACE = re.compile(r"\s+")
_PLAIN_HEADER = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
# Slot markers: letters and digits only (no escaping changes them), with a per-process secret so
# no text from a feed can forge one.
_SLOT_KEY = secrets.token_hex(8)
_SLOT = re.compile(rf"{_SLOT_KEY}Z([a-z_]+)Z")


class _UnfoldedPolicy(email_policy.Compat32):
    """compat32 without folding; a plain one-line ASCII value is written as it is.

    compat32 runs every header through email.header.Header, about 0.1 ms each: for a value of
    printable ASCII words separated by single spaces (every header we write, after Django has
    RFC 2047-encoded the subject) its output is the value itself.
    """

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        if isinstance(value, str) and _PLAIN_HEADER.fullmatch(value):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


# Headers are never folded by the generator: RFC 8058 wants List-Unsubscribe on one line (one
# mail library broke DKIM by folding it after signing). RFC 5322's limit is 998 characters.
_UNFOLDED = _UnfoldedPolicy(max_line_length=0)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = subscriber_token("unsubscribe", subscriber)
    return absolute_url(reverse("subscriptions:unsubscribe", args=[token]))


def manage_url(subscriber: Subscriber) -> str:
    token = subscriber_token("manage", subscriber)
    return absolute_url(reverse("subscriptions:manage", args=[token]))


def confirmation_url(subscriber: Subscriber) -> str:
    token = confirmation_token(subscriber)
    return absolute_url(reverse("subscriptions:confirm", args=[token]))


def list_id() -> str:
    return f"{settings.SITE_NAME} digest <digest.{settings.MAIL_DOMAIN}>"


def single_line(text: str, *, max_length: int = 200) -> str:
    """Subjects are one line: feed text with newlines must never inject a header."""
    line = _WHITESPACE.sub(" ", text).strip()
    return line if len(line) <= max_length else line[: max_length - 1].rstrip() + "…"


class UnfoldedEmail(EmailMultiAlternatives):
    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        message.policy = _UNFOLDED
        return message


@dataclass(frozen=True)
class Parts:
    """A rendered email: one-line subject, text part, HTML part with its CSS inlined."""

    subject: str
    text: str
    html: str


@dataclass
class Mail:
    kind: str
    to: str
    context: dict
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    subscriber: Subscriber | None = None  # set for list mail: adds the unsubscribe headers
    idempotency_key: str = ""
    # Already rendered (see `prerender`): the templates are not rendered again. For list mail
    # the context still names the unsubscribe_url the parts link to.
    parts: Parts | None = None


def account_mail(kind: str, subscriber: Subscriber, *, to: str, **context: object) -> Mail:
    """An account mail (not list mail: no unsubscribe headers) about one reader."""
    return Mail(
        kind=kind,
        to=to,
        context=context,
        tags=["account"],
        metadata={"subscriber_id": str(subscriber.pk)},
    )


def confirmation_mail(subscriber: Subscriber) -> Mail:
    """The double opt-in link, or for an address change the link sent to the new address."""
    kind = "change_email" if subscriber.pending_email else "confirm"
    to = subscriber.pending_email or subscriber.email
    url, days = confirmation_url(subscriber), settings.CONFIRMATION_MAX_AGE_DAYS
    return account_mail(kind, subscriber, to=to, confirm_url=url, max_age_days=days)


def manage_link_mail(subscriber: Subscriber) -> Mail:
    url, status = manage_url(subscriber), subscriber.status
    return account_mail(
        "manage_link", subscriber, to=subscriber.email, manage_url=url, status=status
    )


def slot(name: str) -> str:
    """A marker to put in a template's context where each message's own value goes."""
    return f"{_SLOT_KEY}Z{name}Z"


@dataclass(frozen=True)
class Slotted:
    """Output rendered once, cut at its slot markers: literal, slot name, literal, ..."""

    pieces: tuple[str, ...]
    html: bool

    @classmethod
    def cut(cls, rendered: str, *, html: bool) -> Slotted:
        return cls(pieces=tuple(_SLOT.split(rendered)), html=html)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.pieces[1::2])

    def fill(self, values: Mapping[str, str]) -> str:
        """Put in each slot's value: for HTML escaped, unless it is our own rendering already
        escaped (a SafeString); a text part is never HTML, so it takes values as they are."""
        out = list(self.pieces)
        for i in range(1, len(out), 2):
            value = values[out[i]]
            out[i] = conditional_escape(value) if self.html else str(value)
        return "".join(out)


def render_slotted(template_name: str, context: dict, *, css: str | None = None) -> Slotted:
    """Render one template with slot markers in its context. An .html template is CSS-inlined
    once: as a whole document, or as a fragment styled by `css`."""
    rendered = render_to_string(template_name, context)
    if not template_name.endswith(".html"):
        return Slotted.cut(rendered, html=False)
    inlined = _INLINER.inline(rendered) if css is None else _INLINER.inline_fragment(rendered, css)
    return Slotted.cut(inlined, html=True)


@dataclass(frozen=True)
class Prerendered:
    """A template triple rendered once for many messages; `fill` makes one message's parts."""

    subject: Slotted
    text: Slotted
    html: Slotted

    def fill(
        self,
        values: Mapping[str, str],
        *,
        text: Mapping[str, str] | None = None,
        html: Mapping[str, str] | None = None,
    ) -> Parts:
        """`values` go into every part; `text` and `html` only into that part."""
        return Parts(
            subject=single_line(self.subject.fill(values)),
            text=self.text.fill({**values, **(text or {})}),
            html=self.html.fill({**values, **(html or {})}),
        )


def _full_context(mail: Mail) -> dict:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **mail.context}
    if mail.subscriber is not None:
        if "unsubscribe_url" not in context:
            context["unsubscribe_url"] = unsubscribe_url(mail.subscriber)
        if "manage_url" not in context:
            context["manage_url"] = manage_url(mail.subscriber)
    context.setdefault("postal_address", settings.POSTAL_ADDRESS)
    return context


def prerender(kind: str, context: dict) -> Prerendered:
    """Render the triple of `kind` once, with `slot()` markers in `context` for what differs
    per message, and inline the HTML part's CSS once."""
    context = _full_context(Mail(kind=kind, to="", context=context))
    return Prerendered(
        subject=render_slotted(f"email/{kind}_subject.txt", context),
        text=render_slotted(f"email/{kind}.txt", context),
        html=render_slotted(f"email/{kind}.html", context),
    )


def render(mail: Mail) -> UnfoldedEmail:
    context = _full_context(mail)
    if mail.parts is not None:
        subject, text, html = single_line(mail.parts.subject), mail.parts.text, mail.parts.html
    else:
        subject = single_line(render_to_string(f"email/{mail.kind}_subject.txt", context))
        text = render_to_string(f"email/{mail.kind}.txt", context)
        html = _INLINER.inline(render_to_string(f"email/{mail.kind}.html", context))
    headers = {"Message-ID": make_msgid(domain=settings.MAIL_DOMAIN)}
    if mail.subscriber is not None:
        mailto = f"mailto:unsubscribe@{settings.MAIL_DOMAIN}?subject=unsubscribe"
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>, <{mailto}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = list_id()
    if mail.idempotency_key:
        headers["Idempotency-Key"] = mail.idempotency_key
    message = UnfoldedEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    # Read by anymail's ESP backends; plain SMTP ignores them.
    message.tags = [mail.kind, *mail.tags]
    message.metadata = {"kind": mail.kind, **mail.metadata}
    return message


def send(mail: Mail, *, connection=None) -> str:
    """Send one email and return the Message-ID (the ESP's id where anymail reports one)."""
    return send_rendered(render(mail), connection=connection)


def send_rendered(message: UnfoldedEmail, *, connection=None) -> str:
    """Send a message `render` made; return the Message-ID (or the ESP's id)."""
    message.connection = connection
    message.send(fail_silently=False)
    status = getattr(message, "anymail_status", None)
    if status is not None and status.message_id:
        return str(status.message_id)
    return message.extra_headers["Message-ID"]


def open_connection():
    """One connection reused for a batch of sends."""
    return get_connection(fail_silently=False)
