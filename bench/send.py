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
from pathlib import Path

from django.core.management.base import CommandParser, OutputWrapper
from django.test import override_settings

from bench.send_loops import bare_worker, real_worker, render_cost, run_loop
from digest.delivery.send import pending_batches, send_pending_here
from digest.editions import build_edition
from digest.models import Edition, Paper
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
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="sender processes for each loop (forked; like Celery prefork workers)",
    )


def start_sink(kind: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = (
        ["-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
        if kind == "aiosmtpd"
        else ["-m", "bench.sink", str(port)]
    )
    sink = subprocess.Popen(
        [sys.executable, *command],
        cwd=Path(__file__).resolve().parents[1],
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


def run(
    *,
    stdout: OutputWrapper,
    readers: int,
    papers: int,
    keep: bool,
    sink: str,
    workers: int,
    **_,
) -> None:
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
            _measure(stdout=stdout, readers=readers, papers=papers, workers=workers)
    finally:
        sink_process.terminate()
        sink_process.wait(timeout=10)
        if not keep:
            cleanup()
    stdout.write(f"wall time (everything): {time.perf_counter() - began:.0f} s")


def _measure(*, stdout: OutputWrapper, readers: int, papers: int, workers: int) -> None:
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
    batches = pending_batches(edition_ids=[build.edition.pk])
    stdout.write(
        f"build: {build.created} ledger rows ({build.created - build.skipped} to send) "
        f"in {build_seconds:.1f}s; {len(batches)} batches of {settings.SEND_BATCH_SIZE}; "
        f"{workers} sender process{'es' if workers > 1 else ''}"
    )
    real = run_loop(real_worker, batches, workers=workers)
    retried = send_pending_here(edition_ids=[build.edition.pk])  # nothing, unless 4xx
    real.sent += retried.sent
    real.failed += retried.failed
    sent_ids = list(
        build.edition.deliveries.filter(status="sent").order_by("pk").values_list("pk", flat=True)
    )
    size = settings.SEND_BATCH_SIZE
    bare = run_loop(
        bare_worker, [sent_ids[i : i + size] for i in range(0, len(sent_ids), size)], workers
    )
    cost = render_cost(build.edition)
    ratio = real.rate / bare.rate if bare.rate else 0.0
    stdout.write(
        f"real path: {real.sent} sent, {real.failed} failed in {real.seconds:.1f}s "
        f"= {real.rate:.0f} msg/s"
    )
    stdout.write(f"bare loop: {bare.sent} sent in {bare.seconds:.1f}s = {bare.rate:.0f} msg/s")
    stdout.write(f"ratio real/bare: {ratio:.2f} (target >= 0.5)")
    stdout.write(
        "memory (VmRSS): start {:.0f} MB, middle {:.0f} MB, end {:.0f} MB per sender process "
        "on the real path (the largest of {} over {} batches); peak (ru_maxrss) of this "
        "process {:.0f} MB".format(
            *real.rss_start_middle_end(),
            workers,
            len(batches),
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )
    stdout.write("")
    stdout.write(
        f"{'':20} {'messages':>9} {'seconds':>9} {'msg/s':>8} {'ms/msg':>8} {'CPU ms/msg':>11}"
    )
    for label, loop in (("real path (ledger)", real), ("bare loop", bare)):
        per = loop.seconds * 1000 / loop.sent if loop.sent else 0.0
        cpu = loop.cpu_seconds * 1000 / loop.sent if loop.sent else 0.0
        stdout.write(
            f"{label:20} {loop.sent:>9} {loop.seconds:>9.1f} {loop.rate:>8.0f} {per:>8.2f} "
            f"{cpu:>11.2f}"
        )
    stdout.write(f"{'ratio real/bare':20} {ratio:>9.2f}")
    stdout.write(
        "{:20} start {:.0f} · middle {:.0f} · end {:.0f}".format(
            "VmRSS MB (sender)", *real.rss_start_middle_end()
        )
    )
    stdout.write(
        f"{'per digest (sample)':20} render {cost.render_ms:.2f} ms "
        f"(of which css-inline {cost.inline_ms:.2f} ms) · MIME {cost.mime_ms:.2f} ms · "
        f"largest HTML part {cost.html_kb:.1f} KB"
    )
