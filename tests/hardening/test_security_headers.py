"""Under the real production settings, every page carries HSTS, CSP, frame denial and the other
security headers; cookies are Secure; plain HTTP is redirected; no debug page is ever shown."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from subscriptions.tokens import subscriber_token
from tests.subscriptions.helpers import make_reader

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOST = "paperboy.example.org"
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
]


@pytest.fixture(scope="module")
def production_security() -> dict:
    """The security settings as config/settings.py computes them with PAPERBOY_ENV=production."""
    program = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PAPERBOY_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
    }
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(production_security):
    with override_settings(ALLOWED_HOSTS=[HOST], **production_security):
        yield


@pytest.fixture
def https() -> Client:
    """A browser reaching the app through the TLS-terminating proxy."""
    return Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.7")


def pages() -> list[str]:
    reader = make_reader("ada@example.org")
    return [
        reverse("digest:home"),
        reverse("subscriptions:signup"),
        reverse("subscriptions:send_link"),
        reverse("subscriptions:manage", args=[subscriber_token("manage", reader)]),
        reverse("subscriptions:unsubscribe", args=[subscriber_token("unsubscribe", reader)]),
        reverse("subscriptions:confirm", args=["tampered"]),
        "/no-such-page/",
    ]


def test_production_is_not_in_debug(production_security):
    assert production_security["DEBUG"] is False


def test_every_page_carries_the_security_headers(production, https):
    for page in pages():
        response = https.get(page)
        assert response.status_code in {200, 400, 404}, page
        headers = response.headers
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), page
        csp = headers["Content-Security-Policy"]
        for directive in ["default-src 'self'", "frame-ancestors 'none'", "script-src 'self'"]:
            assert directive in csp, page
        assert "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY", page
        assert headers["X-Content-Type-Options"] == "nosniff", page
        assert headers["Referrer-Policy"] == "same-origin", page
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", page


def test_the_admin_is_framed_by_nobody_either(production, https):
    response = https.get(reverse("admin:login"))

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" in response.headers


def test_plain_http_is_redirected_to_https(production):
    response = Client(HTTP_HOST=HOST).get(reverse("digest:home"))

    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/"


def test_the_csrf_and_session_cookies_are_secure_and_the_session_is_http_only(
    production, https, django_user_model, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("operator", "op@example.org", "pw-for-test")

    form_page = https.get(reverse("subscriptions:signup"))
    csrf = form_page.cookies[settings.CSRF_COOKIE_NAME]
    login = https.post(
        reverse("admin:login"),
        {
            "username": "operator",
            "password": "pw-for-test",
            "csrfmiddlewaretoken": csrf.value,
        },
        HTTP_REFERER=f"https://{HOST}/admin/login/",
    )

    assert csrf["secure"] is True
    session = login.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_an_unknown_page_is_a_plain_404_not_a_debug_page(production, https):
    response = https.get("/definitely/not/here/")

    page = response.content.decode()
    assert response.status_code == 404
    for leak in ["URLconf", "Traceback", "SECRET_KEY", "DEBUG = True", "config.urls"]:
        assert leak not in page


def explode(request):
    raise RuntimeError("secret internals: SECRET_KEY=abc")


urlpatterns = [path("explode/", explode)]


@pytest.mark.urls(__name__)
def test_a_server_error_shows_no_traceback(production, https):
    https.raise_request_exception = False

    response = https.get("/explode/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "secret internals" not in page
    assert "Traceback" not in page
