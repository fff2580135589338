"""One JSON POST to a webhook, guarded, and what its answer (or silence) means for the ledger.

The connection goes through the ingest guard (digest/ingest/guard.py): the address actually
connected to must be public (a name re-pointed at 127.0.0.1 or 169.254.169.254 after the URL
was saved, DNS rebinding, is refused), the whole attempt has one wall-clock deadline, and
redirects are not followed (a webhook has no business redirecting a POST).

The webhook URL is a secret and requests puts it in its exceptions' messages ("…Max retries
exceeded with url: /services/T…/B…/secret"), so no exception text ever leaves this module:
an Outcome's detail names the exception's type and the status, nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

import requests
from django.conf import settings
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from digest.ingest.guard import FetchGuard, PrivateAddressRefused, mount_guarded
from subscriptions.channel_urls import LOOPBACK_HOSTS

# The platform says the webhook is gone or its token revoked: disable the channel. Slack:
# 404 no_service, 410 channel_is_archived, 403 invalid_token; Discord: 404 Unknown Webhook,
# 401 Invalid Webhook Token.
GONE = {401, 403, 404, 410}


class Result(Enum):
    SENT = "sent"
    RETRY = "retry"  # nothing was posted (or the platform said "later"): try again
    AMBIGUOUS = "ambiguous"  # the body left and no answer came back: it may have been posted
    GONE = "gone"  # disable the channel
    REFUSED = "refused"  # the platform refused this message: do not try it again
    FENCED = "fenced"  # the ledger took the row back before the request: not ours to post


@dataclass(frozen=True)
class Outcome:
    result: Result
    detail: str  # never the URL, never an exception's own text
    status: int | None = None
    retry_after: float | None = None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def outcome_of(response: requests.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(Result.SENT, f"answered {status}", status)
    if status in GONE:
        return Outcome(Result.GONE, f"answered {status}", status)
    if status == 429 or status >= 500:
        return Outcome(Result.RETRY, f"answered {status}", status, _retry_after(response))
    return Outcome(Result.REFUSED, f"answered {status}", status)


def _nothing_sent(error: requests.ConnectionError) -> bool:
    """Whether the failure came before the request left: no connection was ever made."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause: BaseException | None = error
    for _ in range(10):  # a short chain: requests' error, urllib3's MaxRetryError, its reason
        if cause is None:
            return False
        if isinstance(cause, NewConnectionError):  # refused, unreachable, no such name
            return True
        cause = cause.__cause__ or cause.__context__ or getattr(cause, "reason", None)
    return False


def post_json(url: str, payload: dict, *, before_send: Callable[[], bool]) -> Outcome:
    """POST `payload` to `url`. `before_send` (the ledger's hand-over) runs, and must return
    True, just before the request: from then on the platform may have the message."""
    allowed = LOOPBACK_HOSTS if settings.CHANNEL_ALLOW_LOOPBACK_HTTP else set()
    guard = FetchGuard(origin_host="", allowed_private_hosts=allowed)
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would bypass the guard
    mount_guarded(session, Retry(total=0, redirect=False, raise_on_status=False))
    timeout = settings.CHANNEL_TIMEOUT_SECONDS
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        with guard.active(timeout):
            if not before_send():
                return Outcome(Result.FENCED, "taken back before the request")
            response = session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", "User-Agent": settings.USER_AGENT},
                timeout=timeout,
                allow_redirects=False,
            )
            response.close()
    except PrivateAddressRefused:
        host = urlsplit(url).hostname
        return Outcome(Result.GONE, f"{host} now resolves to a private address")
    except requests.ConnectionError as error:
        if _nothing_sent(error) and not guard.expired:
            return Outcome(Result.RETRY, f"could not connect ({type(error).__name__})")
        return Outcome(Result.AMBIGUOUS, f"no answer ({type(error).__name__})")
    except requests.Timeout as error:  # the request left; the answer did not come
        return Outcome(Result.AMBIGUOUS, f"no answer in {timeout:g} s ({type(error).__name__})")
    except requests.RequestException as error:
        return Outcome(Result.REFUSED, f"could not post ({type(error).__name__})")
    finally:
        session.close()
    if 300 <= response.status_code < 400:
        return Outcome(Result.REFUSED, f"answered {response.status_code} (a redirect)")
    return outcome_of(response)
