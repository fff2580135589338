"""Send an edition to N readers through the real path, against a bare render+MIME+SMTP loop.

Builds an edition for --readers synthetic readers (on a date no real edition uses), sends it
through the real ledger path (send_batch per batch: claim, render, SMTP, mark sent, SentPaper)
to an SMTP sink running in another process, then sends the same messages again in a bare loop
(render + MIME + SMTP, no bookkeeping). Prints a table: both throughputs, their ratio, this
process's memory across the real path, and what one digest costs to render; then deletes
everything it created.
"""

from __future__ import annotations

import datetime as dt
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandParser, OutputWrapper
from django.test import override_settings

from digest.cards import DigestRenderer
from digest.delivery import (
    BatchResult,
    _topic_names,
    pending_batches,
    send_batch,
    send_pending_here,
)
from digest.editions import build_edition
from digest.models import Delivery, Edition, Paper
from digest.rendering import digest_mail
from subscriptions import mail
from subscriptions.models import Subscriber, Topic

BENCH_DATE = dt.date(1999, 12, 31)
EMAIL_DOMAIN = "bench.invalid"
TOPICS = [
    ("bench-robots", "Robot learning", ["robot", "manipulation"]),
    ("bench-rlhf", "RLHF", ["preference optimization", "human feedback"]),
    ("bench-diffusion", "Diffusion models", ["diffusion"]),
    ("bench-agents", "LLM agents", ["agent", "tool use"]),
]
SUBJECTS = ["robot manipulation", "preference optimization", "diffusion", "agent tool use"]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic rows")
    parser.add_argument(
        "--sink", choices=["fast", "aiosmtpd"], default="fast", help="SMTP sink process"
    )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_sink(kind: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = (
        ["-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
        if kind == "aiosmtpd"
        else ["-m", "digest.bench.sink", str(port)]
    )
    sink = subprocess.Popen(
        [sys.executable, *command],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return sink, port
        time.sleep(0.05)
    sink.kill()
    raise RuntimeError("the aiosmtpd sink did not start")


def make_data(*, readers: int, papers: int) -> None:
    topics = [
        Topic.objects.update_or_create(slug=s, defaults={"name": n, "keywords": k})[0]
        for s, n, k in TOPICS
    ]
    seen = dt.datetime.combine(BENCH_DATE, dt.time(6), tzinfo=dt.UTC)
    Paper.objects.bulk_create(
        [
            Paper(
                canonical_id=f"bench:{i}",
                arxiv_id=f"9912.{i:05d}",
                title=f"Scaling {SUBJECTS[i % 4]} with simple recipes, study {i}",
                abstract=f"We study {SUBJECTS[i % 4]} at scale. " * 8,
                ai_summary=f"A simple recipe for {SUBJECTS[i % 4]} that scales (study {i}).",
                authors=[{"name": f"Author {j}"} for j in range(6)],
                upvotes=10 + i,
                github_repo="https://github.com/example/bench",
                github_stars=100 + i,
                why_trending="+25 upvotes today",
                trending_score=float(i),
                first_seen_at=seen,
            )
            for i in range(papers)
        ],
        ignore_conflicts=True,
    )
    through = Subscriber.topics.through
    for start in range(0, readers, 5000):
        chunk = Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"reader{i}@{EMAIL_DOMAIN}",
                    status=Subscriber.Status.ACTIVE,
                    interests=SUBJECTS[i % 4] if i % 3 == 0 else "",
                )
                for i in range(start, min(readers, start + 5000))
            ]
        )
        if chunk[0].pk is None:  # backends without RETURNING on bulk insert
            chunk = list(Subscriber.objects.filter(email__endswith=EMAIL_DOMAIN).order_by("pk"))[
                start : start + 5000
            ]
        through.objects.bulk_create(
            [
                through(subscriber_id=r.pk, topic_id=topics[(r.pk + k) % 4].pk)
                for r in chunk
                for k in range(1 + r.pk % 2)
            ]
        )


def cleanup() -> None:
    Edition.objects.filter(date=BENCH_DATE).delete()
    Subscriber.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Paper.objects.filter(canonical_id__startswith="bench:").delete()
    Topic.objects.filter(slug__in=[s for s, _, _ in TOPICS]).delete()


def _load_batch(ids: list[int]) -> list[Delivery]:
    return list(
        Delivery.objects.filter(pk__in=ids).select_related("subscriber", "edition").order_by("pk")
    )


def bare_loop(edition: Edition, batch_size: int) -> int:
    """Render + MIME + SMTP for the same messages, rendered the same way (each paper's card once
    per batch), on one connection: what sending costs without the ledger."""
    ids = list(edition.deliveries.filter(status="sent").order_by("pk").values_list("pk", flat=True))
    papers = {p.canonical_id: p for p in Paper.objects.filter(canonical_id__startswith="bench:")}
    connection = mail.open_connection()
    connection.open()
    sent = 0
    try:
        for start in range(0, len(ids), batch_size):
            batch = _load_batch(ids[start : start + batch_size])
            topics = _topic_names([d.subscriber_id for d in batch])
            renderer = DigestRenderer(papers=papers)
            for delivery in batch:
                message = digest_mail(
                    delivery=delivery,
                    subscriber=delivery.subscriber,
                    edition=delivery.edition,
                    papers=papers,
                    topic_names=topics[delivery.subscriber_id],
                    renderer=renderer,
                )
                mail.send(message, connection=connection)
                sent += 1
    finally:
        connection.close()
    return sent


@dataclass
class RenderCost:
    templates_ms: float
    cards_ms: float
    mime_ms: float
    html_kb: float


def render_cost(edition: Edition, *, sample: int = 200) -> RenderCost:
    """Per digest, on a sample: the whole-template render (the template triple + css-inline on
    the whole message, what every digest used to cost), the card render the senders use, and
    MIME; with the size of the largest HTML part."""
    batch = _load_batch(
        list(edition.deliveries.order_by("pk").values_list("pk", flat=True)[:sample])
    )
    papers = {p.canonical_id: p for p in Paper.objects.filter(canonical_id__startswith="bench:")}
    topics = _topic_names([d.subscriber_id for d in batch])
    renderer = DigestRenderer(papers=papers)
    timings = {}
    messages = []
    for label, kwargs in (("templates", {}), ("cards", {"renderer": renderer})):
        started = time.perf_counter()
        messages = [
            mail.render(
                digest_mail(
                    delivery=d,
                    subscriber=d.subscriber,
                    edition=d.edition,
                    papers=papers,
                    topic_names=topics[d.subscriber_id],
                    **kwargs,
                )
            )
            for d in batch
        ]
        timings[label] = (time.perf_counter() - started) * 1000 / max(1, len(batch))
    started = time.perf_counter()
    for message in messages:
        message.message().as_bytes(linesep="\r\n")
    mime_ms = (time.perf_counter() - started) * 1000 / max(1, len(batch))
    html_kb = max((len(m.alternatives[0][0].encode()) for m in messages), default=0) / 1024
    return RenderCost(timings["templates"], timings["cards"], mime_ms, html_kb)


def run(*, stdout: OutputWrapper, readers: int, papers: int, keep: bool, sink: str, **_) -> None:
    began = time.perf_counter()
    cleanup()
    sink_process, port = start_sink(sink)
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            SEND_RATE_PER_SECOND=0,
        ):
            _measure(stdout=stdout, readers=readers, papers=papers)
    finally:
        sink_process.terminate()
        sink_process.wait(timeout=10)
        if not keep:
            cleanup()
    stdout.write(f"wall time (everything): {time.perf_counter() - began:.0f} s")


def send_through_real_path(edition: Edition) -> tuple[BatchResult, list[float]]:
    """What the workers do: send_batch per batch of pending rows (then the retry loop, which
    has nothing to do when the sink accepts everything); VmRSS after every batch."""
    total = BatchResult()
    rss = [rss_mb()]
    for batch in pending_batches(edition_ids=[edition.pk]):
        total.add(send_batch(delivery_ids=batch))
        rss.append(rss_mb())
    total.add(send_pending_here(edition_ids=[edition.pk]))
    return total, rss


def _measure(*, stdout: OutputWrapper, readers: int, papers: int) -> None:
    from django.conf import settings
    from django.db import connection

    started = time.perf_counter()
    make_data(readers=readers, papers=papers)
    stdout.write(
        f"data: {readers} readers, {papers} papers in {time.perf_counter() - started:.1f}s "
        f"({connection.vendor})"
    )
    started = time.perf_counter()
    build = build_edition(frequency="daily", date=BENCH_DATE)
    build_seconds = time.perf_counter() - started
    batches = len(pending_batches(edition_ids=[build.edition.pk]))
    stdout.write(
        f"build: {build.created} ledger rows ({build.created - build.skipped} to send) "
        f"in {build_seconds:.1f}s; {batches} batches of {settings.SEND_BATCH_SIZE}"
    )
    started = time.perf_counter()
    result, rss = send_through_real_path(build.edition)
    real_seconds = time.perf_counter() - started
    started = time.perf_counter()
    bare = bare_loop(build.edition, settings.SEND_BATCH_SIZE)
    bare_seconds = time.perf_counter() - started
    rss_bare = rss_mb()
    cost = render_cost(build.edition)
    real_rate = result.sent / real_seconds if real_seconds else 0.0
    bare_rate = bare / bare_seconds if bare_seconds else 0.0
    ratio = real_rate / bare_rate if bare_rate else 0.0
    stdout.write(
        f"real path: {result.sent} sent, {result.failed} failed in {real_seconds:.1f}s "
        f"= {real_rate:.0f} msg/s"
    )
    stdout.write(f"bare loop: {bare} sent in {bare_seconds:.1f}s = {bare_rate:.0f} msg/s")
    stdout.write(f"ratio real/bare: {ratio:.2f} (target >= 0.5)")
    middle = rss[len(rss) // 2]
    stdout.write(
        f"memory (VmRSS): start {rss[0]:.0f} MB, middle {middle:.0f} MB, end {rss[-1]:.0f} MB "
        f"of the real path (min {min(rss):.0f}, max {max(rss):.0f} over {len(rss) - 1} "
        f"batches); after the bare loop {rss_bare:.0f} MB; peak (ru_maxrss) "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    rows = [
        ("real path (ledger)", result.sent, real_seconds),
        ("bare loop", bare, bare_seconds),
    ]
    stdout.write("")
    stdout.write(f"{'':20} {'messages':>9} {'seconds':>9} {'msg/s':>8} {'ms/msg':>8}")
    for label, count, seconds in rows:
        rate = count / seconds if seconds else 0.0
        per = seconds * 1000 / count if count else 0.0
        stdout.write(f"{label:20} {count:>9} {seconds:>9.1f} {rate:>8.0f} {per:>8.2f}")
    stdout.write(f"{'ratio real/bare':20} {ratio:>9.2f}")
    stdout.write(
        f"{'VmRSS MB (real)':20} start {rss[0]:.0f} · middle {middle:.0f} · end {rss[-1]:.0f}"
    )
    stdout.write(
        f"{'per digest (sample)':20} whole templates {cost.templates_ms:.2f} ms · "
        f"cards {cost.cards_ms:.2f} ms · MIME {cost.mime_ms:.2f} ms · "
        f"largest HTML part {cost.html_kb:.1f} KB"
    )
