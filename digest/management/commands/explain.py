"""`manage.py explain EMAIL`: why did this reader get (no) email? Same answer as /ops/reader/."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from digest.ops.explain import Explanation, explain_reader


def _when(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "                "


def render_text(x: Explanation) -> list[str]:
    lines = [f"{x.email}: {x.reason}", f"  {x.verdict}"]
    if not x.found:
        return lines
    r = x.subscriber
    lines += [
        "",
        f"Status:    {r.status}"
        + (f" ({r.suppression_reason})" if r.suppression_reason else "")
        + (f", paused until {r.paused_until:%Y-%m-%d}" if r.paused_until else ""),
        f"Schedule:  {r.frequency} at {r.send_hour}:00 {r.timezone}",
        f"Topics:    {', '.join(x.topics) or 'none'}",
        f"Channels:  {'; '.join(x.channels) or 'none (email only)'}",
        "",
        "Timeline:",
    ]
    lines += [
        f"  {_when(t.at)}  {t.what}" + (f": {t.detail}" if t.detail else "") for t in x.timeline
    ]
    lines += ["", f"Next digest ({x.next_date:%Y-%m-%d}), if built now:"]
    lines += [
        f"  {i}. {p['title']} [{p['id']}] score {p['score']}: {p['why']}"
        for i, p in enumerate(x.preview, 1)
    ] or ["  nothing matches: the next edition would skip this reader (no matching papers)"]
    return lines


class Command(BaseCommand):
    help = "Explain why a reader did or did not get email: state, timeline, next digest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: object, email: str, **options: object) -> None:
        self.stdout.write("\n".join(render_text(explain_reader(email=email))))
