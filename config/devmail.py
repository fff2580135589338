"""Mail you can read locally on the embedded run: one .eml file per message, listed at /_mail/.

The backend is the default when no EMAIL_URL or ESP is configured, so mail is never silently
dropped. The pages exist only while DEBUG is on.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import get_random_string


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{get_random_string(8)}.eml"
            (folder / name).write_bytes(message.message().as_bytes(linesep="\r\n"))
        return len(email_messages)


def _read(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def _messages() -> list[Path]:
    folder = Path(settings.EMAIL_FILE_PATH)
    return sorted(folder.glob("*.eml"), reverse=True) if folder.exists() else []


def outbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    rows = []
    for path in _messages()[:200]:
        message = _read(path)
        rows.append(
            {
                "name": path.stem,
                "to": message["To"],
                "subject": message["Subject"],
                "date": message["Date"],
            }
        )
    return render(
        request, "devmail/outbox.html", {"rows": rows, "folder": settings.EMAIL_FILE_PATH}
    )


def message_html(request: HttpRequest, name: str) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    path = Path(settings.EMAIL_FILE_PATH) / f"{name}.eml"
    if "/" in name or not path.exists():
        raise Http404
    message = _read(path)
    part = message.get_body(preferencelist=("html", "plain"))
    content = part.get_content() if part else ""
    if part is not None and part.get_content_type() == "text/plain":
        response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(content)
    # Mail HTML carries inline styles; it is shown sandboxed: no script, no form posts from here.
    response.headers["Content-Security-Policy"] = (
        "sandbox allow-popups allow-top-navigation-by-user-activation; "
        "style-src 'unsafe-inline'; img-src https: data:"
    )
    return response
