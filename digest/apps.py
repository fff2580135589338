from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = "Papers and digests"

    def ready(self) -> None:
        from anymail.signals import tracking

        from digest import checks, embeddings, receivers  # noqa: F401 (checks)
        from subscriptions.channels import channel_test_requested
        from subscriptions.seeds import seeds_added
        from subscriptions.signals import reader_confirmed

        tracking.connect(receivers.on_tracking, dispatch_uid="digest.tracking")
        # Seeds first: receivers run in the order connected, and the welcome digest (queued
        # after commit) then sees the marks.
        reader_confirmed.connect(
            receivers.on_reader_confirmed_library, dispatch_uid="digest.library"
        )
        reader_confirmed.connect(receivers.on_reader_confirmed, dispatch_uid="digest.welcome")
        seeds_added.connect(receivers.on_seeds_added, dispatch_uid="digest.seeds")
        channel_test_requested.connect(
            receivers.on_channel_test_requested, dispatch_uid="digest.channel_test"
        )
