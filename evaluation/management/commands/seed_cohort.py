"""``manage.py seed_cohort --coaches N --seed S [--clear]``: a synthetic cohort.

See ``evaluation.cohort`` for what is generated and how synthetic people are marked.
Refused where ``settings.DEMO_ALLOWED`` is false (production).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evaluation.cohort import CohortError, clear_cohort, seed_cohort, synthetic_users


class Command(BaseCommand):
    help = (
        "Create a deterministic synthetic cohort of work coaches (emails "
        "@synthetic.invalid) with enrolments, quiz attempts and survey answers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--coaches", type=int, required=True, help="How many coaches.")
        parser.add_argument("--seed", type=int, required=True, help="Seed for the generator.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, if synthetic coaches already exist.",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete existing synthetic coaches (and only them) first.",
        )

    def handle(self, *args, coaches, seed, clear, if_empty, **options):
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError("seed_cohort is disabled here: settings.DEMO_ALLOWED is False.")
        if if_empty and not clear and synthetic_users().exists():
            self.stdout.write("Synthetic coaches already exist; leaving them as they are.")
            return
        try:
            if clear:
                removed = clear_cohort()
                if removed:
                    self.stdout.write(f"Removed {removed} synthetic users.")
            summary = seed_cohort(coaches, seed)
        except CohortError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(summary.line())
