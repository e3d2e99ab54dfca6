"""``manage.py restore_data <folder>``: put back a backup made by ``backup_data`` (see ``portal.backup``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace the database and the uploaded files by those of a backup folder, then check every table's rows."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, folder, yes, **options):
        if not yes:
            answer = input(f"Replace the current database and uploaded files by the backup in {folder}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing restored.")
        try:
            manifest = backup_restore(source=folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"Restored {rows} rows in {len(manifest['tables'])} tables and {manifest['media_files']} files.")
