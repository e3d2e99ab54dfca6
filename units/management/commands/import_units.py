from django.core.management.base import BaseCommand, CommandError

from units.unit_import import STRUCTURES, units_import


class Command(BaseCommand):
    help = "Load or update administrative units from the vietnam-provinces package (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", default="1", help="Province code (1 = Hà Nội, the default), or 'all' for the whole country."
        )
        parser.add_argument("--structure", choices=STRUCTURES, default="both", help="legacy, current or both (default).")

    def handle(self, *args, province, structure, **options):
        if province == "all":
            code = None
        else:
            try:
                code = int(province)
            except ValueError:
                raise CommandError(f"--province must be a number or 'all', not {province!r}") from None
        try:
            summary = units_import(province=code, structure=structure)
        except (ValueError, KeyError) as error:
            raise CommandError(f"Cannot import province {province}: {error}") from error
        if not summary.total_created and not summary.unchanged and not summary.total_updated:
            raise CommandError(f"The package has no units for province {province}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Units: {summary.total_created} created, {summary.total_updated} updated, "
                f"{summary.unchanged} unchanged; merge links: +{summary.links_added} -{summary.links_removed}."
            )
        )
        for kind, count in sorted(summary.created.items()):
            self.stdout.write(f"  created {count} × {kind}")
