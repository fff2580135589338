"""The site's last-resort error pages: never Django's bare "Server Error (500)".

They render without the request (no session, no messages, no context processors): the
database may be what failed. A database that is away or out of connections answers 503 with
Retry-After, so mailbox providers retry a one-click unsubscribe instead of dropping it.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 60


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called while Django handles the uncaught exception."""
    context = {"SITE_NAME": settings.SITE_NAME}
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("errors/503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("errors/500.html", context), status=500)
