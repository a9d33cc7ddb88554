"""The page tree: what may be created where, and that each page renders and previews."""

import pytest
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.curriculum import ensure_site_tree
from content.models import HomePage, LessonPage, ModuleIndexPage, ModulePage
from learning.models import Enrolment
from tests.factories import LessonPageFactory, ModulePageFactory, UserFactory
from tests.wagtail_testcase import AdminPageTestCase


class PageTreeTests(AdminPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = ensure_site_tree()
        cls.home = cls.index.get_parent().specific
        cls.module = ModulePageFactory(parent=cls.index, title="Disclosure", slug="disclosure")
        cls.lesson_one = LessonPageFactory(parent=cls.module, title="First", slug="first")
        cls.lesson_two = LessonPageFactory(parent=cls.module, title="Second", slug="second")
        cls.lesson_three = LessonPageFactory(parent=cls.module, title="Third", slug="third")
        cls.coach = UserFactory()
        # Lessons open once a coach's baseline is done (see learning's journey).
        Enrolment.objects.create(
            user=cls.coach, module=cls.module, step="lessons", started_at=timezone.now()
        )

    def setUp(self):
        self.login()  # a superuser, for the admin-side assertions

    def test_parent_and_child_types_are_strict(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {ModuleIndexPage})
        self.assertAllowedParentPageTypes(ModuleIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ModuleIndexPage, {ModulePage})
        self.assertAllowedParentPageTypes(ModulePage, {ModuleIndexPage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_modules_and_lessons_are_creatable_only_where_allowed(self):
        self.assertCanCreateAt(ModuleIndexPage, ModulePage)
        self.assertCanCreateAt(ModulePage, LessonPage)
        self.assertCanNotCreateAt(HomePage, ModulePage)
        self.assertCanNotCreateAt(HomePage, LessonPage)
        self.assertCanNotCreateAt(ModuleIndexPage, LessonPage)
        self.assertCanNotCreateAt(LessonPage, LessonPage)
        # Only one home page and one module index.
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))
        self.assertFalse(ModuleIndexPage.can_create_at(self.home))

    def test_a_lesson_can_be_created_through_the_admin(self):
        self.assertCanCreate(
            self.module,
            LessonPage,
            nested_form_data(
                {
                    "title": "Made in the admin",
                    "slug": "made-in-the-admin",
                    "summary": "A lesson written by a trainer.",
                    "estimated_minutes": 7,
                    "body": streamfield(
                        [
                            ("markdown", "Some **Markdown**."),
                            ("rich_text", rich_text("<p>Some rich text.</p>")),
                        ]
                    ),
                }
            ),
        )

    def test_every_page_renders_and_previews(self):
        for page in [self.home, self.index, self.module, self.lesson_one]:
            self.assertPageIsRenderable(page, user=self.coach)
        self.assertPageIsPreviewable(self.home)
        self.assertPageIsPreviewable(self.index)
        self.assertPageIsPreviewable(
            self.module,
            post_data=nested_form_data(
                {
                    "title": "Disclosure",
                    "slug": "disclosure",
                    "summary": "A summary.",
                    "estimated_minutes": 30,
                    "audience": "Work coaches",
                    "introduction": rich_text("<p>Hello</p>"),
                    "learning_outcomes": streamfield([("outcome", "Ask with permission")]),
                    "pass_mark_percent": 70,
                    "post_quiz_attempts": 3,
                    "follow_up_days": 56,
                }
            ),
        )
        self.assertPageIsPreviewable(
            self.lesson_one,
            post_data=nested_form_data(
                {
                    "title": "First",
                    "slug": "first",
                    "summary": "A summary.",
                    "estimated_minutes": 5,
                    "body": streamfield(
                        [
                            ("markdown", "Some **Markdown**."),
                            (
                                "scenario",
                                {
                                    "heading": "A case",
                                    "case": rich_text("<p>Sam is late.</p>"),
                                    "reflection_prompt": "What next?",
                                },
                            ),
                        ]
                    ),
                }
            ),
        )

    def test_module_and_lesson_pages_need_sign_in(self):
        for page in [self.module, self.lesson_one]:
            response = self.client.__class__().get(page.url)
            self.assertEqual(response.status_code, 302)
            self.assertIn("/accounts/login/", response["Location"])

    def test_lessons_know_their_neighbours(self):
        first, second, third = (
            LessonPage.objects.get(pk=p.pk)
            for p in (self.lesson_one, self.lesson_two, self.lesson_three)
        )
        self.assertIsNone(first.previous_lesson)
        self.assertEqual(first.next_lesson, second)
        self.assertEqual(second.previous_lesson, first)
        self.assertEqual(second.next_lesson, third)
        self.assertIsNone(third.next_lesson)
        self.assertEqual(third.lesson_number, 3)

    def test_unpublished_lessons_are_skipped_by_previous_and_next(self):
        self.lesson_two.unpublish()
        first = LessonPage.objects.get(pk=self.lesson_one.pk)
        self.assertEqual(first.next_lesson.pk, self.lesson_three.pk)

    def test_lesson_page_shows_contents_and_pagination(self):
        self.client.force_login(self.coach)
        html = self.client.get(self.lesson_two.url).content.decode()
        self.assertIn("lesson 2 of 3", html)
        self.assertIn('rel="prev"', html)
        self.assertIn('rel="next"', html)
        self.assertIn('aria-current="page">2. Second', html)

    def test_home_page_lists_live_modules(self):
        self.assertEqual(Site.objects.get(is_default_site=True).root_page_id, self.home.pk)
        html = self.client.__class__().get("/").content.decode()
        self.assertIn("Disclosure", html)
        self.assertIn("govuk-skip-link", html)


@pytest.mark.django_db
def test_module_page_shows_outcomes_and_lessons(client, curriculum):
    module = ModulePage.objects.get(slug="disclosure-conversations")
    client.force_login(UserFactory())
    html = client.get(module.url).content.decode()
    assert "By the end of this module you will be able to" in html
    for outcome in module.outcomes:
        assert outcome.replace("'", "&#x27;") in html
    for lesson in module.lessons():
        assert lesson.title in html
