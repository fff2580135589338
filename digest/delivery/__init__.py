"""Delivery: from an edition's ledger rows to the SMTP end-of-data dot (no Celery here).

The walk from "edition due" to the dot, top-down, six modules:

1. digest.tasks.send_due_digests (hourly beat) calls runs.build_due_editions, then enqueues one
   digest.send_batch task per batch of pending rows (send.pending_batches), after commit.
2. delivery.runs.build_due_editions builds each due reader's edition (digest.editions) and
   returns the editions with pending rows; send_edition / send_welcome_digest send here instead.
3. delivery.send.send_batch, for each row of the batch: render the digest (delivery.message;
   the MIME message through subscriptions.emails), then three ledger steps, each one
   conditional UPDATE:
4. delivery.ledger: claim (pending -> sending, only while the reader still receives mail),
   hand_over (-> handed_over, durable), then mark_sent with its SentPaper rows, or
   record_failure (transient -> pending again, permanent -> failed, no reply -> ambiguous;
   delivery.errors says which).
5. delivery.message: what one reader's digest says (the template triple's context).
6. delivery.backends: Django's SMTP backend whose DATA step sends the body, calls the
   hand-over the sender attached to the message (`lambda: ledger.hand_over(claim)`; the
   backend imports nothing from delivery), and only then sends the dot. Through an ESP the
   hand-over is committed just before the HTTP request instead.

webhooks records and applies ESP events (bounces, complaints, opens) afterwards.
"""
