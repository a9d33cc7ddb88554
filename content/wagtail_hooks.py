"""Admin wiring for modules and lessons: the publishing rules on every admin route,
and the authoring guide in the Help menu.

The rules themselves live on the models (``ModulePage.finish_problems`` and
``ModulePage.publishing_problems``); these hooks only apply them where the admin
offers a way round the module's own form: bulk actions, the unpublish, delete and move
screens, and the quiz and survey screens. ``ModulePage.publish`` refuses whatever
still gets through (workflow approval, scheduled publishing).

Only administrators delete pages (``content.permissions.may_delete_page``): the delete
screen, bulk delete and the admin API refuse everyone else, and the explorer's "More"
menu does not offer them Delete. (The edit screen's header menu still shows Delete:
Wagtail has no hook to take it out; the delete screen then refuses.)
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.api.actions.delete import DeletePageAPIAction
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.menu import MenuItem

from assessments.models import ConfidenceSurvey, Quiz

from .models import LessonPage, ModulePage
from .permissions import REFUSAL, may_delete_page

INSTRUMENTS = (Quiz, ConfidenceSurvey)


def _refuse(request, heading: str, reasons: list[str], to: str):
    messages.error(
        request,
        format_html(
            "{}<ul>{}</ul>", heading, format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        ),
    )
    return redirect(to)


def _module_edit_url(module) -> str:
    return reverse("wagtailadmin_pages:edit", args=[module.pk])


def _back(request, fallback: str) -> str:
    return request.GET.get("next") or request.POST.get("next") or fallback


# Publishing a module -------------------------------------------------------------


@hooks.register("before_publish_page")
def refuse_unfinishable_module(request, page):
    """The module form already refuses these; this catches any other editor route."""
    page = page.specific_deferred
    if not isinstance(page, ModulePage):
        return None
    problems = page.publishing_problems()
    if not problems:
        return None
    return _refuse(
        request,
        f"‘{page.title}’ has been saved as a draft but not published:",
        [message for _, message in problems],
        _module_edit_url(page),
    )


# Deleting pages: administrators only ----------------------------------------------


def _refuse_deleting(request, to: str):
    messages.error(request, REFUSAL)
    return redirect(to)


@hooks.register("before_delete_page", order=-10)
def only_administrators_delete_pages(request, page):
    """Runs on the delete screen's GET and POST, before the lesson rule below: back to
    the page, saying why."""
    if not may_delete_page(request.user, page):
        return _refuse_deleting(request, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return None


@hooks.register("before_bulk_action", order=-10)
def only_administrators_bulk_delete_pages(request, action_type, objects, action):
    """Wagtail runs this on the POST; its confirmation screen still lists the pages."""
    if action_type != "delete":
        return None
    pages = [obj for obj in objects if hasattr(obj, "specific_deferred")]
    if any(not may_delete_page(request.user, page) for page in pages):
        return _refuse_deleting(
            request, getattr(action, "next_url", None) or reverse("wagtailadmin_home")
        )
    return None


class AdministratorsOnlyDeletePageAPIAction(DeletePageAPIAction):
    def execute(self, instance, data):
        if not may_delete_page(self.request.user, instance):
            raise PermissionDenied(REFUSAL)
        return super().execute(instance, data)


class CoachAcademyPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    actions = {**PagesAdminAPIViewSet.actions, "delete": AdministratorsOnlyDeletePageAPIAction}


@hooks.register("construct_admin_api")
def only_administrators_delete_pages_through_the_api(router):
    router.register_endpoint("pages", CoachAcademyPagesAdminAPIViewSet)


@hooks.register("construct_page_listing_buttons")
def offer_delete_only_to_administrators(buttons, page, user, context=None):
    """The listing's "More" menu offers Delete to whoever Wagtail would let delete."""
    if may_delete_page(user, page):
        return
    delete_url = reverse("wagtailadmin_pages:delete", args=[page.pk])
    for button in buttons:
        dropdown = getattr(button, "dropdown_buttons", None)
        if isinstance(dropdown, list):
            dropdown[:] = [b for b in dropdown if not (b.url or "").startswith(delete_url)]


# Lessons: a live module keeps at least one live lesson ----------------------------


def _modules_left_without_lessons(lessons) -> list[ModulePage]:
    """The live modules that would have no live lesson if ``lessons`` stopped being
    live under them."""
    by_module: dict[int, set[int]] = {}
    for lesson in lessons:
        if isinstance(lesson.specific_deferred, LessonPage) and lesson.live:
            by_module.setdefault(lesson.get_parent().pk, set()).add(lesson.pk)
    emptied = []
    for module in ModulePage.objects.live().filter(pk__in=by_module):
        if not module.lessons().exclude(pk__in=by_module[module.pk]).exists():
            emptied.append(module)
    return emptied


def _refuse_emptying(request, modules, verb: str, fallback: str):
    return _refuse(
        request,
        f"You cannot {verb} this: coaches need at least one published lesson in a "
        "published module.",
        [
            f"‘{m.title}’ would have no published lessons left. Publish another lesson "
            "in it first, or unpublish the module."
            for m in modules
        ],
        _back(request, fallback),
    )


@hooks.register("before_unpublish_page")
def keep_a_lesson_when_unpublishing(request, page):
    if emptied := _modules_left_without_lessons([page]):
        return _refuse_emptying(request, emptied, "unpublish", _module_edit_url(page.get_parent()))
    return None


@hooks.register("before_delete_page")
def keep_a_lesson_when_deleting(request, page):
    if emptied := _modules_left_without_lessons([page]):
        return _refuse_emptying(request, emptied, "delete", _module_edit_url(page.get_parent()))
    return None


@hooks.register("before_move_page")
def keep_a_lesson_when_moving(request, page, destination):
    if destination.pk == page.get_parent().pk:
        return None
    if emptied := _modules_left_without_lessons([page]):
        return _refuse_emptying(request, emptied, "move", _module_edit_url(page.get_parent()))
    return None


# Bulk actions on pages ---------------------------------------------------------------


@hooks.register("before_bulk_action")
def apply_publishing_rules_to_bulk_actions(request, action_type, objects, action):
    fallback = getattr(action, "next_url", None) or reverse("wagtailadmin_home")
    pages = [obj for obj in objects if hasattr(obj, "specific_deferred")]
    if not pages:
        return None
    if action_type == "publish":
        reasons = []
        for page in pages:
            page = page.specific
            if not isinstance(page, ModulePage):
                continue
            latest = page.get_latest_revision_as_object()
            reasons += [f"‘{page.title}’: {message}" for _, message in latest.publishing_problems()]
        if reasons:
            return _refuse(request, "Nothing has been published:", reasons, fallback)
    elif action_type in {"unpublish", "delete", "move"}:
        if emptied := _modules_left_without_lessons(pages):
            return _refuse_emptying(request, emptied, action_type, fallback)
    return None


# Quizzes and surveys in use --------------------------------------------------------


def _modules_using(instrument, *, live_only: bool):
    field = "quiz" if isinstance(instrument, Quiz) else "confidence_survey"
    modules = ModulePage.objects.filter(**{field: instrument}).order_by("title")
    return modules.live() if live_only else modules


@hooks.register("before_unpublish")
def keep_instruments_of_live_modules(request, instance):
    if not isinstance(instance, INSTRUMENTS):
        return None
    modules = list(_modules_using(instance, live_only=True))
    if not modules:
        return None
    noun = instance._meta.verbose_name
    return _refuse(
        request,
        f"‘{instance}’ cannot be unpublished: these published modules use it, and coaches "
        f"could not finish them without it. Choose another {noun} for them, or unpublish "
        "them, first.",
        [m.title for m in modules],
        reverse(instance.snippet_viewset.get_url_name("edit"), args=[instance.pk]),
    )


@hooks.register("before_delete_snippet", order=-10)
def keep_instruments_that_modules_use(request, instances):
    """Runs before ``assessments`` removes unanswered versions for a delete that goes
    ahead (its hook has order 100)."""
    in_use = [
        (instrument, list(_modules_using(instrument, live_only=False)))
        for instrument in instances
        if isinstance(instrument, INSTRUMENTS)
    ]
    in_use = [(instrument, modules) for instrument, modules in in_use if modules]
    if not in_use:
        return None
    first = in_use[0][0]
    return _refuse(
        request,
        "Nothing has been deleted: modules use "
        + ("this quiz or survey" if len(in_use) == 1 else "these quizzes or surveys")
        + ". Choose another for each module first.",
        [
            f"‘{instrument}’ is used by " + ", ".join(f"‘{m.title}’" for m in modules)
            for instrument, modules in in_use
        ],
        reverse(first.snippet_viewset.get_url_name("edit"), args=[first.pk]),
    )


# The authoring guide -----------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_authoring_guide_url():
    from .admin_views import authoring_guide

    return [path("authoring-guide/", authoring_guide, name="authoring_guide")]


@hooks.register("register_help_menu_item")
def register_authoring_guide_menu_item():
    return MenuItem(
        "Coach Academy authoring guide",
        reverse("authoring_guide"),
        name="authoring-guide",
        icon_name="doc-full",
        order=900,
    )
