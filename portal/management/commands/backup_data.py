"""``manage.py backup_data``: back up the database and uploaded files (see ``portal.backup``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder under --destination (default var/backups)."

    def add_arguments(self, parser):
        parser.add_argument("--destination", type=Path, default=settings.VAR_DIR / "backups")

    def handle(self, *args, destination, **options):
        try:
            folder = backup_create(destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(folder))
