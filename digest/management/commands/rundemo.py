"""`make run`: web server, one Celery worker and the one embedded beat, on embedded defaults."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run web + Celery worker + beat for a local demo (use gunicorn and celery in production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: int, host: str, **options) -> None:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ],
        )
        url = f"http://{host}:{port}/"
        mail = (
            ""
            if settings.EMAIL_BACKEND != "config.devmail.EmlFileBackend"
            else (f"Mail is written to {settings.EMAIL_FILE_PATH}/ and listed at {url}_mail/")
        )
        self.stdout.write(self.style.SUCCESS(f"Paperboy is running at {url}"))
        if mail:
            self.stdout.write(mail)
        self.stdout.write("Press Ctrl+C to stop.")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
