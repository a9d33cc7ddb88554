from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Quizzes and surveys"

    def ready(self):
        from . import signals  # noqa: F401 - connects the publishing signal
