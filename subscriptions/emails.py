"""Every email: one message builder (`Mail` + `render`) and a one-line function per account mail.

`templates/email/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html` make one kind of email.
`render` inlines the CSS, sets the Message-ID on our domain, the anymail tags and metadata,
and, for list mail (digests), the RFC 2369/8058 unsubscribe headers and List-Id.
Templates load through Django's cached loader (the default with DEBUG off), so a batch renders
compiled templates; there is no second render path.

Account mail (`confirmation_mail`, `manage_link_mail`) carries only our own words and the link:
nothing the visitor typed, not even topics, so a sign-up form cannot be used to mail strangers
a message of someone else's choosing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.utils import make_msgid
from functools import cache

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from subscriptions.models import Subscriber
from subscriptions.tokens import confirmation_token, subscriber_token

# Rules are moved onto the elements (minified); only at-rules (media queries: phones, dark mode)
# stay in a <style>, for the clients that read one.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, minify_css=True, load_remote_stylesheets=False)
_WHITESPACE = re.compile(r"\s+")
_PLAIN_HEADER = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


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


@cache
def _path_prefix(name: str) -> str:
    """The path of the URL named `name` up to its token (its pattern ends `<token>/`)."""
    return reverse(name, args=["TOKEN"]).removesuffix("TOKEN/")


def token_url(name: str, token: str) -> str:
    """The absolute URL `name` for `token`. reverse() costs about as much as signing the token,
    and a digest carries one link per card button plus three, so the path is looked up once."""
    return absolute_url(f"{_path_prefix(name)}{token}/")


def unsubscribe_url(subscriber: Subscriber) -> str:
    return token_url("subscriptions:unsubscribe", subscriber_token("unsubscribe", subscriber))


def manage_url(subscriber: Subscriber) -> str:
    return token_url("subscriptions:manage", subscriber_token("manage", subscriber))


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


@dataclass
class Mail:
    kind: str
    to: str
    context: dict
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    subscriber: Subscriber | None = None  # set for list mail: adds the unsubscribe headers
    idempotency_key: str = ""


def inline_css(html: str) -> str:
    """Move the rules of the HTML's <style> onto its elements (keeping the <style> for clients
    that read it: media queries, dark mode)."""
    return _INLINER.inline(html)


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


def _full_context(mail: Mail) -> dict:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **mail.context}
    if mail.subscriber is not None:
        if "unsubscribe_url" not in context:
            context["unsubscribe_url"] = unsubscribe_url(mail.subscriber)
        if "manage_url" not in context:
            context["manage_url"] = manage_url(mail.subscriber)
    context.setdefault("postal_address", settings.POSTAL_ADDRESS)
    return context


def render(mail: Mail) -> UnfoldedEmail:
    context = _full_context(mail)
    subject = single_line(render_to_string(f"email/{mail.kind}_subject.txt", context))
    text = render_to_string(f"email/{mail.kind}.txt", context)
    html = inline_css(render_to_string(f"email/{mail.kind}.html", context))
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
