"""Reading the environment: one helper, so a malformed value stops start-up naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None


def _get(name: str, cast, default):
    """Read one variable; a malformed value stops start-up with a message naming it.

    An empty value counts as unset, so `DATABASE_URL= make test` means "the default".
    """
    if os.environ.get(name) == "":
        del os.environ[name]
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {error}") from error


def _strict_bool(name: str, default: bool) -> bool:
    value = env.str(name, default=str(default)).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{value!r} is not one of true/false/1/0/yes/no/on/off")
