"""What "My learning" shows for each module: presentation only."""

from dataclasses import dataclass

from django.urls import reverse

from content.models import ModulePage

from . import services
from .models import Enrolment, Step
from .navigation import step_url


@dataclass
class ModuleCard:
    module: ModulePage
    enrolment: Enrolment | None
    status: str
    tag_colour: str
    next_step: str
    action_label: str
    action_url: str


STATUS = {
    None: ("Not started", "grey"),
    Step.COMPLETED: ("Completed", "green"),
    Step.FOLLOW_UP_DUE: ("Follow-up due", "orange"),
    Step.FOLLOWED_UP: ("Followed up", "green"),
}


def module_cards(user) -> list[ModuleCard]:
    modules = list(
        ModulePage.objects.live()
        .public()
        .select_related("quiz", "confidence_survey")
        .order_by("path")
    )
    enrolments = {
        e.module_id: services.refresh_follow_up(e)
        for e in Enrolment.objects.filter(user=user, module__in=modules).select_related("module")
    }
    cards = []
    for module in modules:
        enrolment = enrolments.get(module.pk)
        if enrolment is None and not module.can_be_finished():
            continue  # Not offered until a coach could finish it.
        step = Step(enrolment.step) if enrolment else None
        status, colour = STATUS.get(step, ("In progress", "blue"))
        if enrolment is None:
            label, url, next_step = "Start", reverse("learning:module", args=[module.slug]), ""
        elif step in (Step.COMPLETED, Step.FOLLOWED_UP):
            label = "View certificate"
            url = reverse("learning:certificate", args=[module.slug])
            next_step = ""
        elif step == Step.FOLLOW_UP_DUE:
            label, url, next_step = "Answer the follow-up survey", step_url(enrolment), ""
        else:
            label, url, next_step = "Continue", step_url(enrolment), step.label
        cards.append(ModuleCard(module, enrolment, status, colour, next_step, label, url))
    return cards
