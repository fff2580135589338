from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def mail_settings(digest_mail_settings):
    return digest_mail_settings
