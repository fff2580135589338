"""The one signal in the project: the hand-off from consent to the digest side.

`reader_confirmed` is sent after a reader's confirmation has committed, with `subscriber_id`.
digest connects a receiver in its AppConfig.ready() that enqueues the welcome digest
(subscriptions never imports digest).
"""

from django.dispatch import Signal

reader_confirmed = Signal()
