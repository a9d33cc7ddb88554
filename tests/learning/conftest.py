import re

import pytest
from django.urls import reverse

from content.curriculum import load_curriculum, parse_curriculum
from content.models import ModulePage
from learning.models import Enrolment


@pytest.fixture(scope="session")
def disclosure_spec():
    return [m for m in parse_curriculum() if m.slug == "disclosure-conversations"]


@pytest.fixture
def disclosure(db, disclosure_spec):
    """One starter module (quiz, survey and lessons), loaded as in the demo."""
    load_curriculum(modules=disclosure_spec)
    return ModulePage.objects.get(slug="disclosure-conversations")


class Walker:
    """Drives a coach through a module the way the pages do."""

    def __init__(self, client, module):
        self.client = client
        self.module = module

    def url(self, name, *args):
        return reverse(f"learning:{name}", args=[self.module.slug, *args])

    def form(self, url):
        html = self.client.get(url).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', html)
        version = re.search(r'name="version" value="(\d+)"', html)
        return html, {
            "token": token.group(1) if token else "",
            "version": version.group(1) if version else "",
        }

    def start(self):
        return self.client.post(self.url("module"))

    def privacy(self, take_part="yes"):
        return self.client.post(self.url("privacy"), {"take_part": take_part})

    def survey(self, timepoint, value="3", then="2", reaction="4"):
        version = self.module.confidence_survey.latest_version
        _, data = self.form(self.url("survey", timepoint))
        for item in version.items.all():
            data[f"item-{item.pk}"] = value
            if timepoint == "post":
                data[f"then-{item.pk}"] = then
        if timepoint == "post" and reaction is not None:
            data["reaction"] = reaction
        return self.client.post(self.url("survey", timepoint), data)

    def quiz(self, timepoint, correct=True):
        version = self.module.quiz.latest_version
        _, data = self.form(self.url("quiz", timepoint))
        for question in version.questions.all():
            choices = [c for c in question.choices.all() if c.is_correct == correct]
            data[f"question-{question.pk}"] = (
                [str(choices[0].pk)]
                if not question.allows_many or not correct
                else [str(c.pk) for c in choices]
            )
        return self.client.post(self.url("quiz", timepoint), data)

    def read_lessons(self):
        for lesson in self.module.lessons():
            assert self.client.get(lesson.url).status_code == 200
        return self.client.post(self.url("lessons"))

    def enrolment(self):
        return Enrolment.objects.get(module=self.module)

    def to(self, step):
        """Walk from the start to ``step``."""
        order = [
            "privacy",
            "pre_survey",
            "pre_quiz",
            "lessons",
            "post_quiz",
            "post_survey",
            "completed",
        ]
        actions = [
            self.start,
            self.privacy,
            lambda: self.survey("pre"),
            lambda: self.quiz("pre"),
            self.read_lessons,
            lambda: self.quiz("post"),
            lambda: self.survey("post"),
        ]
        for action in actions[: order.index(step) + 1]:
            action()
        assert self.enrolment().step == step
        return self.enrolment()


@pytest.fixture
def walker(coach_client, disclosure):
    return Walker(coach_client, disclosure)
