"""Account mail and housekeeping tasks, on the `account` queue (config/settings.py routes).

Thin: arguments in, one service function, safe to run twice (the one-mail-per-window claim
makes a repeat send nothing). The claim carries the task's id, so a copy redelivered after a
worker crash may still send; a mail server failure releases the claim (services._send_claimed)
and the task retries with back-off, far inside the Redis visibility timeout.
"""

from celery import Task, shared_task

from subscriptions import services
from subscriptions.choices import Choices
from subscriptions.models import Subscriber
from subscriptions.sending import MailNotSent, Outcome

ACCOUNT_MAIL_RETRY = {
    "autoretry_for": (MailNotSent,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, name="subscriptions.sign_up", **ACCOUNT_MAIL_RETRY)
def sign_up(self: Task, *, email: str, **choices: object) -> str:
    outcome = services.subscribe(
        email=email, choices=Choices.from_json(choices), claim=self.request.id or ""
    )
    return str(outcome)


@shared_task(bind=True, name="subscriptions.send_manage_link", **ACCOUNT_MAIL_RETRY)
def send_manage_link(self: Task, *, email: str) -> str:
    return str(services.send_manage_link(email=email, claim=self.request.id or ""))


@shared_task(bind=True, name="subscriptions.change_address", **ACCOUNT_MAIL_RETRY)
def change_address(self: Task, *, subscriber_id: int, new_email: str) -> str:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return str(Outcome.NOTHING_SENT)
    outcome = services.request_address_change(
        subscriber=subscriber, new_email=new_email, claim=self.request.id or ""
    )
    return str(outcome)


@shared_task(name="subscriptions.purge_stale_signups")
def purge_stale_signups_task() -> dict[str, int]:
    """Safe to run twice: a second run finds nothing left to purge."""
    return services.purge_stale_signups()
