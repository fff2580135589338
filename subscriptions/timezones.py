"""Time zones a reader can choose: canonical IANA names only, grouped by region, with offsets.

zoneinfo.available_timezones() also holds ~150 deprecated aliases (`US/Eastern`,
`Asia/Calcutta`, `Etc/GMT+1`, whose sign is the reverse of what people expect). The canonical
names are those of the tz database's zone.tab (one or more per country) plus UTC; the aliases,
from the database's link lines (tzdata.zi), are still accepted and stored as the name they
point to, so a reader whose browser says `Asia/Calcutta`, or who chose an alias before,
keeps working. Without those files (a system without tzdata), every name with a region prefix
is offered, less the legacy groups.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from pathlib import Path

REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def _tz_file(name: str) -> Path | None:
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / name
        if path.is_file():
            return path
    return None


@cache
def canonical_names() -> frozenset[str]:
    available = zoneinfo.available_timezones()
    table = _tz_file("zone.tab")
    if table is None:
        names = {name for name in available if name.split("/", 1)[0] in REGIONS}
    else:
        rows = (line.split("\t") for line in table.read_text().splitlines())
        names = {row[2] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return frozenset((names & available) | {"UTC"})


@cache
def aliases() -> dict[str, str]:
    """Alias -> canonical name, for every link whose target is offered."""
    links: dict[str, str] = {"Etc/UTC": "UTC", "Etc/GMT": "UTC", "GMT": "UTC", "UCT": "UTC"}
    source = _tz_file("tzdata.zi")
    if source is not None:
        for line in source.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "L":
                links[parts[2]] = parts[1]
    canonical = canonical_names()
    resolved = {}
    for alias, target in links.items():
        for _ in range(5):  # a link may point at another link
            if target in canonical:
                resolved[alias] = target
                break
            target = links.get(target, target)
    return resolved


def canonical(name: str) -> str:
    """The canonical name for `name` (itself when it already is one, "" when it is unknown)."""
    if name in canonical_names():
        return name
    return aliases().get(name, "")


def _offset_label(name: str, now: dt.datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@cache
def grouped(day: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(region, [(name, "Berlin (UTC+01:00)"), ...]), ...] with the offsets of `day` (noon
    UTC), sorted by offset then name within a region; UTC first, on its own."""
    now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    groups: dict[str, list[tuple[dt.timedelta, str, str]]] = {}
    for name in canonical_names() - {"UTC"}:
        region, _, place = name.partition("/")
        offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or dt.timedelta(0)
        label = f"{place.replace('_', ' ').replace('/', ' – ')} ({_offset_label(name, now)})"
        groups.setdefault(region, []).append((offset, label, name))
    result = [("UTC", [("UTC", "UTC (UTC+00:00)")])]
    for region in sorted(groups):
        rows = sorted(groups[region])
        result.append((region, [(name, label) for _, label, name in rows]))
    return result
