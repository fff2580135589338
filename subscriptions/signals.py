"""The one signal: subscriptions tells whoever listens (digest) that a reader confirmed."""

from django.dispatch import Signal

# Sent with subscriber_id=<int> once a reader's address is confirmed.
reader_confirmed = Signal()
