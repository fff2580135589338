"""One ingest run: read or fetch the document(s), parse, store, and leave an IngestRun behind.

A run either stores everything it parsed or nothing: all pages are fetched and parsed before the
single store transaction begins, so a fetch error, a refused document or a database error leaves
the previously stored papers exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from digest.ingest.fetch import FetchResult, fetch
from digest.ingest.sources import parse_document
from digest.ingest.sources.records import PaperRecord, RateLimited, SourceError
from digest.ingest.spacing import host_throttle
from digest.ingest.store import store_records
from digest.models import IngestRun, Source

log = logging.getLogger(__name__)

HF_PAGE_LIMIT = 50  # the API's default page size when the URL does not say
HF_MAX_PAGES = 20
ARXIV_API_INTERVAL = 3.0  # arXiv's terms: at most one request every 3 seconds


@dataclass
class Fetched:
    """Parsed content of every page of one run (empty when the server said 304)."""

    records: list[PaperRecord] = field(default_factory=list)
    entries: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""


def run_ingest(
    *,
    source: Source | None = None,
    path: str | Path | None = None,
    document: bytes | None = None,
    fmt: str | None = None,
    day: dt.date | None = None,
    label: str = "",
    now: dt.datetime | None = None,
    raise_rate_limited: bool = False,
) -> IngestRun:
    """Ingest `source` (fetched), or a recorded document (the file at `path`, or `document`
    bytes) in format `fmt`; return the finished IngestRun.

    With a source and a recorded document, the document is read instead of fetched and its papers
    are recorded as seen by that source (the source's fetch bookkeeping is left alone).
    `day` picks the Hugging Face Daily Papers date (default today); `now` pins the clock.
    A source that asks us to slow down (RateLimited) fails the run like any fetch error; with
    `raise_rate_limited` the error is raised again once the run is recorded, so a task can retry.
    """
    recorded = path is not None or document is not None
    if source is None and not recorded:
        raise ValueError("run_ingest needs a source, a path or a document")
    fmt = fmt or (source.kind if source else None)
    if fmt is None:
        raise ValueError("a recorded document needs its format")
    label = label or (str(path) if path is not None else source.name if source else fmt)
    run = IngestRun.objects.create(
        source=source, label=label[:300], started_at=now or timezone.now()
    )
    fetching = None if recorded else source
    try:
        if recorded:
            data = document if document is not None else Path(path).read_bytes()
            fetched = parse_pages(fmt, [data])
        else:
            fetched = fetch_source(source, day=day or timezone.localdate())
    except RateLimited as error:
        finish(run, fetching, error=f"rate limited: {error}")
        if raise_rate_limited:
            raise
        return run
    except (SourceError, OSError) as error:
        return finish(run, fetching, error=str(error) or type(error).__name__)

    run.fetched = fetched.entries
    run.skipped = fetched.skipped
    run.warnings = fetched.warnings[:200]
    try:
        counts = store_records(records=fetched.records, source=source, run=run, now=now)
    except DatabaseError as error:
        finish(run, fetching, error=f"storing failed, nothing was saved: {error}")
        raise
    run.warnings = [*counts.warnings, *fetched.warnings][:200]
    run.new, run.updated, run.unchanged = counts.new, counts.updated, counts.unchanged
    run.failed = counts.failed
    return finish(run, fetching, fetched=fetched)


def finish(
    run: IngestRun, source: Source | None, *, error: str = "", fetched: Fetched | None = None
) -> IngestRun:
    """Close the run; `source` (when it was fetched) remembers when and the validators."""
    now = timezone.now()
    run.finished_at = max(now, run.started_at)
    run.status = IngestRun.Status.FAILED if error else IngestRun.Status.OK
    run.error = error
    run.save()
    if error:
        log.warning("ingest %s failed: %s", run.label, error)
    if source is not None:
        source.last_run_at = now
        update = ["last_run_at"]
        if not error:
            source.last_success_at = now
            update.append("last_success_at")
            if fetched is not None and (fetched.etag or fetched.last_modified):
                source.etag, source.last_modified = fetched.etag, fetched.last_modified
                update += ["etag", "last_modified"]
        source.save(update_fields=update)
    return run


def close_stale_runs(*, now: dt.datetime) -> list[int]:
    """Close the runs still `running` INGEST_STALE_MINUTES after they started (longer than any
    run takes: their worker was killed mid-run) as failed; return their enabled sources' ids,
    to be ingested again. A conditional UPDATE: running it twice closes nothing more."""
    minutes = settings.INGEST_STALE_MINUTES
    stale = IngestRun.objects.filter(
        status=IngestRun.Status.RUNNING, started_at__lt=now - dt.timedelta(minutes=minutes)
    )
    pks = list(stale.values_list("pk", flat=True))
    closed = IngestRun.objects.filter(pk__in=pks, status=IngestRun.Status.RUNNING)
    source_ids = set(closed.exclude(source=None).values_list("source_id", flat=True))
    count = closed.update(
        status=IngestRun.Status.FAILED,
        finished_at=now,
        error=f"interrupted: still running after {minutes:g} minutes (its worker stopped); "
        "the source is ingested again",
    )
    if count:
        log.warning("closed %s interrupted ingest run(s)", count)
    enabled = Source.objects.filter(pk__in=source_ids, enabled=True)
    return sorted(enabled.values_list("pk", flat=True))


def parse_pages(fmt: str, pages: list[bytes]) -> Fetched:
    fetched = Fetched()
    for data in pages:
        result = parse_document(fmt, data)
        fetched.records.extend(result.records)
        fetched.entries += len(result.records) + result.skipped
        fetched.skipped += result.skipped
        fetched.warnings.extend(result.warnings)
    return fetched


def fetch_source(source: Source, *, day: dt.date) -> Fetched:
    """Fetch every page of `source`; Daily Papers is paginated, the other kinds are one document."""
    if source.kind == Source.Kind.HF_DAILY:
        return _fetch_hf_daily(source, day=day)
    interval = ARXIV_API_INTERVAL if source.kind == Source.Kind.ARXIV_API else 0.0
    answer = _get(
        source.url, etag=source.etag, last_modified=source.last_modified, interval=interval
    )
    if answer.not_modified:
        return Fetched(
            not_modified=True,
            warnings=["not modified since the last fetch (HTTP 304): nothing to ingest"],
            etag=answer.etag or source.etag,
            last_modified=answer.last_modified or source.last_modified,
        )
    fetched = parse_pages(source.kind, [answer.body])
    fetched.etag, fetched.last_modified = answer.etag or "", answer.last_modified or ""
    return fetched


def hf_page_url(template: str, *, day: dt.date, page: int) -> str:
    """The template's {date} filled in and `p=<page>` set (Daily Papers pages count from 0)."""
    url = template.replace("{date}", day.isoformat())
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    query["p"] = str(page)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _fetch_hf_daily(source: Source, *, day: dt.date) -> Fetched:
    # The URL changes with the date and the page, so a stored ETag would never match: no
    # conditional GET here.
    limit_values = parse_qs(urlsplit(source.url).query).get("limit")
    limit = int(limit_values[-1]) if limit_values and limit_values[-1].isdigit() else HF_PAGE_LIMIT
    fetched = Fetched()
    for page in range(HF_MAX_PAGES):
        answer = _get(hf_page_url(source.url, day=day, page=page), etag="", last_modified="")
        result = parse_document(source.kind, answer.body)
        fetched.records.extend(result.records)
        size = len(result.records) + result.skipped
        fetched.entries += size
        fetched.skipped += result.skipped
        fetched.warnings.extend(f"page {page}: {w}" for w in result.warnings)
        if size < limit:
            break
    else:
        fetched.warnings.append(f"stopped after {HF_MAX_PAGES} pages")
    return fetched


def _get(url: str, *, etag: str, last_modified: str, interval: float | None = None) -> FetchResult:
    """One polite GET; `interval` None lets digest.ingest.fetch pick the host's spacing
    (3 s for arXiv; digest/ingest/spacing.py)."""
    return fetch(
        url,
        etag=etag,
        last_modified=last_modified,
        max_bytes=settings.FETCH_MAX_BYTES,
        timeout=settings.FETCH_TIMEOUT_SECONDS,
        user_agent=settings.USER_AGENT,
        min_interval=interval,
        throttle=host_throttle(),
        allowed_private_hosts=settings.FETCH_ALLOWED_PRIVATE_HOSTS,
    )
