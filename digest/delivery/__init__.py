"""Delivery: from an edition's ledger rows to the SMTP end-of-data dot (no Celery here).

Read top-down: runs (build an edition, send it here or hand its ids to digest.tasks) -> send
(one batch: claim, render, hand over, mark) -> ledger (each row's states) -> message (what one
reader's digest says) -> backends (SMTP with the durable hand-over, DKIM, Resend).
webhooks records and applies ESP events.
"""
