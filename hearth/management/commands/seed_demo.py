import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from hearth.demo import seed_all


class Command(BaseCommand):
    help = "Create or refresh Hearth's demo accounts and data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo accounts have a published password.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs with "
                "DEBUG on. Use --force if you really want demo data on this server."
            )
        # The demo's own doings (RSVP confirmations, audit entries) would print whole
        # emails and a page of log lines into a newcomer's terminal: send no email, and
        # keep the log to warnings while seeding.
        logging.disable(logging.INFO)
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                summary = seed_all()
        finally:
            logging.disable(logging.NOTSET)
        for line in summary:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Password: hearth-demo-2026"))
