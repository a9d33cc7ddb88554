from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self):
        from . import (
            checks,  # noqa: F401 registers the export storage check
            signals,  # noqa: F401 forgets erased people's export labels
        )
