"""The demo data set: a recorded Daily Papers page, presented as today's papers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings

from digest.ingest.runs import run_ingest
from digest.ingest.scores import recompute_trending
from digest.models import IngestRun, Source

DEMO_FILE = Path(settings.BASE_DIR) / "demo" / "hf_daily.json"
DEMO_SOURCE = "demo-hf-daily"
DATE_FIELDS = ("publishedAt", "submittedOnDailyAt")


def rebased(data: bytes, *, today: dt.date) -> bytes:
    """Shift every date in a Daily Papers document so its latest Daily Papers day is `today`.

    The recording's papers keep their relative ages, so the demo shows "today's" trending list
    whatever day it runs, and the trending decay has something sensible to work on.
    """
    items = json.loads(data)
    days = [
        dt.datetime.fromisoformat(item["paper"]["submittedOnDailyAt"]).date()
        for item in items
        if item.get("paper", {}).get("submittedOnDailyAt")
    ]
    shift = today - max(days) if days else dt.timedelta(0)
    for item in items:
        for holder in (item, item.get("paper", {})):
            for name in DATE_FIELDS:
                if holder.get(name):
                    moved = dt.datetime.fromisoformat(holder[name]) + shift
                    holder[name] = moved.isoformat().replace("+00:00", "Z")
    return json.dumps(items).encode()


def load_demo(*, now: dt.datetime, path: Path = DEMO_FILE) -> IngestRun:
    """Ingest the demo file as seen by a paused demo source, then score it. Safe to repeat.

    A broken demo file is a bug in the project, not an operator's problem: it raises.
    """
    source, _ = Source.objects.get_or_create(
        name=DEMO_SOURCE,
        defaults={
            "kind": Source.Kind.HF_DAILY,
            "url": "https://huggingface.co/api/daily_papers?date={date}",
            "enabled": False,
        },
    )
    run = run_ingest(
        source=source,
        document=rebased(path.read_bytes(), today=now.date()),
        fmt=Source.Kind.HF_DAILY,
        label=f"demo: {path.name}",
        now=now,
    )
    if run.status != IngestRun.Status.OK:
        raise RuntimeError(f"the demo file {path} did not ingest: {run.error}")
    recompute_trending(now=now)
    return run
