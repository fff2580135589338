"""python manage.py rotate_channel_urls: re-encrypt every stored webhook URL under the current
key, after CHANNEL_KEY (or SECRET_KEY) changed and the old one went to the fallbacks
(docs/security.md, "Channel webhooks"). Safe to run twice."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from subscriptions import channel_urls
from subscriptions.models import Channel


class Command(BaseCommand):
    help = "Re-encrypt the channels' webhook URLs under the current CHANNEL_KEY."

    def handle(self, *args: object, **options: object) -> None:
        rotated, unreadable = 0, 0
        for pk, token in Channel.objects.values_list("pk", "url_encrypted").iterator():
            try:
                fresh = channel_urls.reencrypt(token)
            except channel_urls.InvalidToken:
                unreadable += 1
                continue
            rotated += Channel.objects.filter(pk=pk, url_encrypted=token).update(
                url_encrypted=fresh
            )
        self.stdout.write(f"{rotated} channel URLs re-encrypted, {unreadable} unreadable")
        if unreadable:
            self.stderr.write(
                "Unreadable URLs were encrypted under a key that is in neither CHANNEL_KEY nor "
                "its fallbacks: put that key back in CHANNEL_KEY_FALLBACKS, or ask those readers "
                "to add their channels again."
            )
