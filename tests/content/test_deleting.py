"""Only administrators delete pages: Wagtail would let any trainer delete a lesson
(and, with it, every coach's progress through it)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from content.models import LessonPage
from learning.models import Enrolment, LessonProgress
from tests.factories import LessonPageFactory, ModulePageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(module_index):
    """A live module with two live lessons, so the last-lesson rule is not what
    refuses; a coach has read the first."""
    module = ModulePageFactory(parent=module_index, title="Module")
    lesson = LessonPageFactory(parent=module, title="First lesson")
    LessonPageFactory(parent=module, title="Second lesson")
    coach = UserFactory(role=Role.WORK_COACH)
    enrolment = Enrolment.objects.create(user=coach, module=module, started_at=timezone.now())
    LessonProgress.objects.create(
        enrolment=enrolment, lesson=lesson, first_viewed_at=timezone.now()
    )
    return lesson


def client_for(client, role):
    client.force_login(UserFactory(role=role))
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def still_there(lesson):
    return (
        LessonPage.objects.filter(pk=lesson.pk).exists()
        and LessonProgress.objects.filter(lesson_id=lesson.pk).exists()
    )


def test_a_trainer_cannot_open_the_delete_screen_or_delete_a_lesson(client, lessons):
    trainer = client_for(client, Role.TRAINER)
    url = reverse("wagtailadmin_pages:delete", args=[lessons.pk])
    for response in (trainer.get(url), trainer.post(url)):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[lessons.pk])
        assert "You do not have permission to delete pages" in messages_of(response)[-1]
    assert still_there(lessons)


def test_a_trainer_cannot_bulk_delete_lessons(client, lessons):
    trainer = client_for(client, Role.TRAINER)
    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        + f"?id={lessons.pk}&next=/admin/"
    )
    response = trainer.post(url, {})
    assert response.status_code == 302
    assert "You do not have permission to delete pages" in messages_of(response)[-1]
    assert still_there(lessons)


def test_a_trainer_cannot_delete_a_lesson_through_the_admin_api(client, lessons):
    trainer = client_for(client, Role.TRAINER)
    response = trainer.post(f"/admin/api/main/pages/{lessons.pk}/action/delete/")
    assert response.status_code == 403
    assert still_there(lessons)


def test_an_administrator_may_delete_a_lesson_through_the_admin_api(client, lessons):
    admin = client_for(client, Role.ADMINISTRATOR)
    response = admin.post(f"/admin/api/main/pages/{lessons.pk}/action/delete/")
    assert response.status_code == 204
    assert not LessonPage.objects.filter(pk=lessons.pk).exists()


def test_a_trainer_is_not_offered_delete_in_the_page_listing(client, lessons):
    trainer = client_for(client, Role.TRAINER)
    delete_url = reverse("wagtailadmin_pages:delete", args=[lessons.pk])
    edit_url = reverse("wagtailadmin_pages:edit", args=[lessons.pk])
    response = trainer.get(reverse("wagtailadmin_explore", args=[lessons.get_parent().pk]))
    assert edit_url in response.text
    assert delete_url not in response.text


def test_an_administrator_is_offered_delete_and_may_delete_a_lesson(client, lessons):
    admin = client_for(client, Role.ADMINISTRATOR)
    url = reverse("wagtailadmin_pages:delete", args=[lessons.pk])
    response = admin.get(reverse("wagtailadmin_explore", args=[lessons.get_parent().pk]))
    assert url in response.text
    assert admin.get(url).status_code == 200
    response = admin.post(url)
    assert response.status_code == 302
    assert not LessonPage.objects.filter(pk=lessons.pk).exists()


def test_an_administrator_may_bulk_delete_a_lesson(client, lessons):
    admin = client_for(client, Role.ADMINISTRATOR)
    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        + f"?id={lessons.pk}&next=/admin/"
    )
    admin.post(url, {})
    assert not LessonPage.objects.filter(pk=lessons.pk).exists()
