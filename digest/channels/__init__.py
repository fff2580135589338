"""Delivery channels besides email: an edition posted to Slack, Discord or Matrix webhooks.

runs (which posts exist, what to post next) -> send (one batch) -> ledger (each row's states)
| post (one guarded HTTP request) | content (a reader's digest as plain data) -> formats (each
platform's message, pure). No Celery here: digest/tasks.py enqueues and retries the batches.
"""
