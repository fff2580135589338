"""Placeholder views: the reader-side work replaces these."""

from django.http import HttpRequest, HttpResponse


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


def manage(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
