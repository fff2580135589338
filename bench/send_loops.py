"""The two loops `bench send` times, in this process or in forked sender processes.

The real path is what a worker does with each batch (digest.delivery.send_batch); the bare
loop renders the same messages the same way and hands them to SMTP, with no ledger.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections

from digest.delivery.send import BatchResult, _topic_names, batch_message, send_batch
from digest.models import Delivery, Edition, Paper
from subscriptions import emails


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class LoopResult:
    sent: int = 0
    failed: int = 0
    cpu_seconds: float = 0.0  # of the sender processes (not the database's, not the sink's)
    seconds: float = 0.0  # wall time of the whole loop
    rss: list[list[float]] = field(default_factory=list)  # per sender, after each batch

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def rss_start_middle_end(self) -> tuple[float, float, float]:
        """Of the sender whose memory ended highest."""
        samples = max(self.rss, key=lambda s: s[-1], default=[0.0])
        return samples[0], samples[len(samples) // 2], samples[-1]


def real_worker(batches: list[list[int]]) -> LoopResult:
    cpu = time.process_time()
    total = BatchResult()
    rss = [rss_mb()]
    for batch in batches:
        total.add(send_batch(delivery_ids=batch))
        rss.append(rss_mb())
    return LoopResult(total.sent, total.failed, time.process_time() - cpu, rss=[rss])


def _load_batch(ids: list[int]) -> list[Delivery]:
    return list(
        Delivery.objects.filter(pk__in=ids).select_related("subscriber", "edition").order_by("pk")
    )


def bare_worker(batches: list[list[int]]) -> LoopResult:
    """Render + MIME + SMTP for the same messages, rendered the same way (the template triple),
    on one connection: what sending costs without the ledger."""
    cpu = time.process_time()
    papers = {p.canonical_id: p for p in Paper.objects.filter(canonical_id__startswith="bench:")}
    connection = emails.open_connection()
    connection.open()
    sent = 0
    rss = [rss_mb()]
    try:
        for ids in batches:
            batch = _load_batch(ids)
            topics = _topic_names([d.subscriber_id for d in batch])
            for delivery in batch:
                message = batch_message(delivery, papers=papers, topics=topics)
                emails.send_rendered(message, connection=connection)
                sent += 1
            rss.append(rss_mb())
    finally:
        connection.close()
    return LoopResult(sent, 0, time.process_time() - cpu, rss=[rss])


def _in_child(
    worker: Callable[[list[list[int]]], LoopResult], batches: list[list[int]]
) -> LoopResult:
    try:
        return worker(batches)
    finally:
        connections.close_all()


def run_loop(
    worker: Callable[[list[list[int]]], LoopResult], batches: list[list[int]], workers: int
) -> LoopResult:
    """Run `worker` over the batches here, or over `workers` forked processes (each its own
    database and SMTP connections, like Celery prefork workers), and time it."""
    started = time.perf_counter()
    if workers <= 1:
        result = worker(batches)
    else:
        connections.close_all()  # each child opens its own
        shares = [batches[i::workers] for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(_in_child, [(worker, share) for share in shares], chunksize=1)
        result = LoopResult()
        for part in parts:
            result.sent += part.sent
            result.failed += part.failed
            result.cpu_seconds += part.cpu_seconds
            result.rss += part.rss
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class RenderCost:
    render_ms: float
    inline_ms: float
    mime_ms: float
    html_kb: float


def render_cost(edition: Edition, *, sample: int = 200) -> RenderCost:
    """Per digest, on a sample: the render (the template triple through the cached loader, with
    css-inline on the HTML part), the share of it css-inline takes, and MIME; with the size of
    the largest HTML part."""
    batch = _load_batch(
        list(edition.deliveries.order_by("pk").values_list("pk", flat=True)[:sample])
    )
    papers = {p.canonical_id: p for p in Paper.objects.filter(canonical_id__startswith="bench:")}
    topics = _topic_names([d.subscriber_id for d in batch])
    started = time.perf_counter()
    messages = [batch_message(d, papers=papers, topics=topics) for d in batch]
    render_ms = (time.perf_counter() - started) * 1000 / max(1, len(batch))
    htmls = [m.alternatives[0][0] for m in messages]
    started = time.perf_counter()
    for html in htmls:
        emails.inline_css(html)
    inline_ms = (time.perf_counter() - started) * 1000 / max(1, len(batch))
    started = time.perf_counter()
    for message in messages:
        message.message().as_bytes(linesep="\r\n")
    mime_ms = (time.perf_counter() - started) * 1000 / max(1, len(batch))
    html_kb = max((len(h.encode()) for h in htmls), default=0) / 1024
    return RenderCost(render_ms, inline_ms, mime_ms, html_kb)
