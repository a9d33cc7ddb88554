from django.core.management.base import BaseCommand, CommandError

from content.curriculum import CURRICULUM_DIR, CurriculumError, load_curriculum, parse_curriculum


class Command(BaseCommand):
    help = (
        "Load the starter curriculum from content/curriculum/ into Wagtail. Safe to run "
        "again: unchanged pages are left as they are, and pages a trainer has edited in "
        "Wagtail since are skipped unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite pages even if a trainer has edited them in Wagtail.",
        )
        parser.add_argument(
            "--path", default=str(CURRICULUM_DIR), help="Curriculum folder to load."
        )

    def handle(self, *args, force=False, path=None, **options):
        from pathlib import Path

        try:
            modules = parse_curriculum(Path(path))
        except CurriculumError as exc:
            raise CommandError(f"Curriculum not loaded: {exc}") from exc
        report = load_curriculum(Path(path), force=force, modules=modules)
        for label in report.created:
            self.stdout.write(f"Created {label}")
        for label in report.updated:
            self.stdout.write(f"Updated {label}")
        for label in report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {label}: edited in Wagtail since it was loaded "
                    "(run with --force to overwrite)"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Curriculum loaded: {len(modules)} modules; {len(report.created)} items "
                f"created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
                f"{len(report.skipped)} skipped."
            )
        )
