"""Support for the permission matrix (``test_permission_matrix.py``).

Three parts:

- ``url_patterns()`` walks every pattern the resolver knows, admin included, and
  ``url_instances(world)`` turns each into one or more concrete paths, filling the path
  arguments with objects of the ``World`` (``BY_ARGUMENT``, ``BY_NAMESPACE``,
  ``BY_PATTERN``, ``VARIANTS``, ``LITERAL_PATHS``).
- ``build_world()`` creates those objects: pages of each type, a published module with
  its quiz and survey answered by coach A, offices, users of every role (the privileged
  ones with a TOTP authenticator), an export of evaluator A, images, documents, a
  workflow in progress and so on.
- ``parse_matrix()`` reads the table of expectations, ``row_for()`` finds the row for
  an address, ``Cell.matches()`` compares a response with a cell, and ``request()``
  makes one request whose changes are rolled back.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

# The people, in the order of the table's columns.
ROLES = ("anon", "coachA", "coachB", "leader", "trainer", "evalA", "evalB", "admin")

# Text that only coach A's own pages (and the administrators' user screens) may show.
COACH_A_EMAIL = "quillfeather.a@example.com"
COACH_A_SURNAME = "Quillfeather"


# The URL patterns ------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: ``key`` is its namespaced name, or its route if it has none."""

    key: str
    name: str | None
    route: str
    params: tuple[str, ...]
    positional: int

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0] if self.name else ""


def _join(route1: str, route2: str) -> str:
    return URLResolver._join_route(route1, route2)


def _params(pattern) -> tuple[tuple[str, ...], int]:
    regex = pattern.regex
    named = tuple(regex.groupindex)
    return named, regex.groups - len(named)


def url_patterns() -> list[Pattern]:
    """Every pattern the resolver knows, depth first, without exact duplicates (the
    same name and route registered twice, where only the first can ever match)."""
    found: dict[tuple[str, str], Pattern] = {}

    def walk(patterns, prefix, namespaces, params, positional):
        for entry in patterns:
            route = _join(prefix, str(entry.pattern))
            named, unnamed = _params(entry.pattern)
            if isinstance(entry, URLResolver):
                spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry.url_patterns, route, spaces, params + named, positional + unnamed)
            elif isinstance(entry, URLPattern):
                name = ":".join(namespaces + (entry.name,)) if entry.name else None
                key = name or route.removeprefix("^").removesuffix("$")
                found.setdefault(
                    (key, route),
                    Pattern(key, name, route, params + named, positional + unnamed),
                )

    walk(get_resolver().url_patterns, "", (), (), 0)
    return list(found.values())


# Path arguments ----------------------------------------------------------------------

# How each path argument is filled in. Looked up by (pattern key, argument), then by
# (namespace, argument), then by argument alone; each value is a function of the world.
# ``VARIANTS`` gives a pattern several instances, each with its own row in the table
# (``key@label``). ``LITERAL_PATHS`` gives the path of a pattern that cannot be
# reversed (no name, or a regular expression with groups but no names).
BY_ARGUMENT = {
    "page_id": lambda w: w.lesson.pk,
    "provider_id": lambda w: settings.OIDC_PROVIDER_ID,
    "parent_page_id": lambda w: w.module.pk,
    "page_to_move_id": lambda w: w.lesson.pk,
    "destination_id": lambda w: w.other_module.pk,
    "revision_id": lambda w: w.lesson.latest_revision_id,
    "revision_id_a": lambda w: "earliest",
    "revision_id_b": lambda w: "latest",
    "content_type_app_name": lambda w: "content",
    "content_type_model_name": lambda w: "lessonpage",
    "app_label": lambda w: "content",
    "model_name": lambda w: "lessonpage",
    "action_name": lambda w: "approve",
    "task_state_id": lambda w: w.page_task_state.pk,
    "task_id": lambda w: w.task.pk,
    "workflow_state_id": lambda w: w.page_workflow_state.pk,
    "collection_id": lambda w: w.collection.pk,
    "image_id": lambda w: w.image.pk,
    "document_id": lambda w: w.document.pk,
    "doc_id": lambda w: w.document.pk,
    "uploaded_file_id": lambda w: w.uploaded_image.pk,
    "redirect_id": lambda w: w.redirect.pk,
    "filter_spec": lambda w: "fill-80x80",
    "session_id": lambda w: w.editing_session.pk,
    "object_id": lambda w: w.lesson.pk,
    "module_id": lambda w: w.module.pk,
    "module_slug": lambda w: w.module.slug,
    "slug": lambda w: w.module.slug,
    "job_id": lambda w: w.export_a.pk,
    "attempt_id": lambda w: w.attempt_a.pk,
    "code": lambda w: w.certificate_code_a,
    "uidb64": lambda w: "MQ",
    "token": lambda w: "set-password",
    "key": lambda w: "no-such-key",
    "uidb36": lambda w: "1",
    "restriction_id": lambda w: w.collection_restriction.pk,
    "page_view_restriction_id": lambda w: w.page_restriction.pk,
    "page_pk": lambda w: w.workflow_page.pk,
    "workflow_pk": lambda w: w.workflow.pk,
}

BY_NAMESPACE = {
    ("wagtailadmin_api:pages", "pk"): lambda w: w.lesson.pk,
    ("wagtailadmin_api:pages", "action_name"): lambda w: "copy",
    ("wagtailadmin_api:documents", "pk"): lambda w: w.document.pk,
    ("wagtailadmin_api:images", "pk"): lambda w: w.image.pk,
    ("wagtailadmin_pages", "pk"): lambda w: w.lesson.pk,
    ("wagtailadmin_pages", "page_id"): lambda w: w.lesson.pk,
    ("wagtailadmin_collections", "pk"): lambda w: w.collection.pk,
    ("wagtailadmin_workflows", "pk"): lambda w: w.workflow.pk,
    ("wagtailsnippets_assessments_quiz", "pk"): lambda w: w.quiz.pk,
    ("wagtailsnippets_assessments_quiz", "revision_id"): lambda w: w.quiz.latest_revision_id,
    ("wagtailsnippets_assessments_quiz", "task_state_id"): lambda w: w.quiz_task_state.pk,
    ("wagtailsnippets_assessments_quiz", "workflow_state_id"): (lambda w: w.quiz_workflow_state.pk),
    ("wagtailsnippetchoosers_assessments_quiz", "pk"): lambda w: w.quiz.pk,
    ("wagtailsnippets_assessments_confidencesurvey", "pk"): lambda w: w.survey.pk,
    ("wagtailsnippets_assessments_confidencesurvey", "revision_id"): (
        lambda w: w.survey.latest_revision_id
    ),
    ("wagtailsnippets_assessments_confidencesurvey", "task_state_id"): (
        lambda w: w.quiz_task_state.pk
    ),
    ("wagtailsnippets_assessments_confidencesurvey", "workflow_state_id"): (
        lambda w: w.quiz_workflow_state.pk
    ),
    ("wagtailsnippetchoosers_assessments_confidencesurvey", "pk"): lambda w: w.survey.pk,
    ("office", "pk"): lambda w: w.office_a.pk,
    ("region", "pk"): lambda w: w.office_a.region.pk,
    ("wagtailsites", "pk"): lambda w: w.site.pk,
    ("wagtailusers_users", "pk"): lambda w: w.users["coachA"].pk,
    ("wagtailusers_groups", "pk"): lambda w: Group.objects.get(name="Work coach").pk,
    ("wagtaildocs_chooser", "pk"): lambda w: w.document.pk,
    ("wagtailimages_chooser", "pk"): lambda w: w.image.pk,
    ("wagtaildocs", "uploaded_file_id"): lambda w: w.uploaded_document.pk,
    ("wagtailsettings", "app_name"): lambda w: "content",
    ("wagtailsettings", "model_name"): lambda w: "homepage",
    ("wagtailsettings", "pk"): lambda w: w.site.pk,
}

BY_PATTERN = {
    ("wagtailadmin_explore", "parent_page_id"): lambda w: w.module.pk,
    ("wagtailadmin_tag_model_autocomplete", "app_name"): lambda w: "taggit",
    ("wagtailadmin_tag_model_autocomplete", "model_name"): lambda w: "tag",
    ("wagtail_bulk_action", "app_label"): lambda w: "wagtailcore",
    ("wagtail_bulk_action", "model_name"): lambda w: "page",
    ("wagtail_bulk_action", "action"): lambda w: "delete",
    ("wagtailadmin_editing_sessions:ping", "app_label"): lambda w: "wagtailcore",
    ("wagtailadmin_editing_sessions:ping", "model_name"): lambda w: "page",
    ("wagtailadmin_pages:choose_parent", "app_label"): lambda w: "content",
    ("wagtailadmin_pages:choose_parent", "model_name"): lambda w: "lessonpage",
    ("wagtailadmin_workflows:add_task", "app_label"): lambda w: "wagtailcore",
    ("wagtailadmin_workflows:add_task", "model_name"): lambda w: "groupapprovaltask",
    ("wagtailadmin_pages:workflow_preview", "page_id"): lambda w: w.workflow_page.pk,
    ("wagtailadmin_pages:workflow_preview", "task_id"): lambda w: w.task.pk,
    ("wagtailadmin_pages:workflow_action", "page_id"): lambda w: w.workflow_page.pk,
    ("wagtailadmin_pages:collect_workflow_action_data", "page_id"): (lambda w: w.workflow_page.pk),
    ("wagtailadmin_pages:confirm_workflow_cancellation", "page_id"): (lambda w: w.workflow_page.pk),
    ("wagtailadmin_pages:workflow_history_detail", "page_id"): lambda w: w.workflow_page.pk,
    ("wagtailadmin_pages:workflow_history", "page_id"): lambda w: w.workflow_page.pk,
    ("wagtailcore_authenticate_with_password", "page_id"): lambda w: w.restricted_page.pk,
    ("learning_reports:module", "module_id"): lambda w: w.module.pk,
}

# Patterns with more than one instance worth checking: label -> {argument: value}.
VARIANTS = {
    "wagtail_serve": {
        "home": {"args": lambda w: [""]},
        "modules": {"args": lambda w: [w.module_index.url.strip("/") + "/"]},
        "module": {"args": lambda w: [w.module.url.strip("/") + "/"]},
        "lesson": {"args": lambda w: [w.lesson.url.strip("/") + "/"]},
        "restricted": {"args": lambda w: [w.restricted_page.url.strip("/") + "/"]},
        "missing": {"args": lambda w: ["no-such-page/"]},
    },
    "learning:quiz": {
        "pre": {"timepoint": lambda w: "pre"},
        "post": {"timepoint": lambda w: "post"},
    },
    "learning:survey": {
        "pre": {"timepoint": lambda w: "pre"},
        "post": {"timepoint": lambda w: "post"},
        "follow_up": {"timepoint": lambda w: "follow_up"},
    },
    "evaluation:export_detail": {
        "ofA": {"job_id": lambda w: w.export_a.pk},
        "ofB": {"job_id": lambda w: w.export_b.pk},
    },
    "evaluation:export_status": {
        "ofA": {"job_id": lambda w: w.export_a.pk},
    },
    "evaluation:export_download": {
        "ofA": {"job_id": lambda w: w.export_a.pk},
        "ofB": {"job_id": lambda w: w.export_b.pk},
    },
    "learning:quiz_result": {
        "ofA": {"attempt_id": lambda w: w.attempt_a.pk},
        "ofA_pre": {"attempt_id": lambda w: w.attempt_a_pre.pk},
    },
    "certificate_verify_code": {
        "ofA": {"code": lambda w: w.certificate_code_a},
        "unknown": {"code": lambda w: "ZZZZZZZZZZZZ"},
    },
    "wagtailusers_users:edit": {
        "coachA": {"pk": lambda w: w.users["coachA"].pk},
        "admin": {"pk": lambda w: w.users["admin"].pk},
    },
}

LITERAL_PATHS = {
    "admin/test404/": "/admin/test404/",
    "admin/.*/": "/admin/no-such-admin-page/",
    "wagtaildocs_serve": lambda w: reverse(
        "wagtaildocs_serve", args=[w.document.pk, w.document.filename]
    ),
}


@dataclass(frozen=True)
class UrlInstance:
    key: str  # the pattern's key, with ``@label`` for a variant
    pattern: Pattern
    path: str


class MissingArgument(Exception):
    pass


def _fill(pattern: Pattern, param: str, world, overrides):
    for table, lookup in (
        (overrides, param),
        (BY_PATTERN, (pattern.key, param)),
        (BY_NAMESPACE, (pattern.namespace, param)),
        (BY_ARGUMENT, param),
    ):
        if lookup in table:
            return table[lookup](world)
    raise MissingArgument(
        f"No value for the argument {param!r} of {pattern.key} ({pattern.route}): "
        "add one to BY_ARGUMENT, BY_NAMESPACE or BY_PATTERN in tests/accounts/matrix.py"
    )


def _literal(route: str) -> str | None:
    """The path of a route without arguments, or None if it is a regular expression
    that matches more than one path."""
    plain = route.removeprefix("^").removesuffix("$")
    return "/" + plain if re.fullmatch(r"[\w\-./]*", plain) and "." not in plain else None


def _path(pattern: Pattern, world, overrides) -> str:
    if pattern.key in LITERAL_PATHS:
        literal = LITERAL_PATHS[pattern.key]
        return literal(world) if callable(literal) else literal
    if pattern.name is None:
        path = None if pattern.params or pattern.positional else _literal(pattern.route)
        if path is None:
            raise MissingArgument(
                f"The unnamed pattern {pattern.route} needs a path in LITERAL_PATHS"
            )
        return path
    if pattern.positional:
        if "args" not in overrides:
            raise MissingArgument(
                f"{pattern.key} takes positional arguments: give them in VARIANTS or LITERAL_PATHS"
            )
        return reverse(pattern.name, args=overrides["args"](world))
    kwargs = {p: _fill(pattern, p, world, overrides) for p in pattern.params}
    return reverse(pattern.name, kwargs=kwargs)


def url_instances(world) -> list[UrlInstance]:
    """One instance per pattern (per variant), each path checked to reach a view of
    the same name: a path that another pattern answers first (a pattern shadowed on
    purpose, such as an address that now redirects) is still checked, under its own
    row."""
    instances = {}
    for pattern in url_patterns():
        variants = VARIANTS.get(pattern.key, {None: {}})
        for label, overrides in variants.items():
            key = f"{pattern.key}@{label}" if label else pattern.key
            path = _path(pattern, world, overrides)
            match = resolve(path.split("?")[0])
            sibling = (
                pattern.namespace
                and match.route != pattern.route
                and match.view_name != pattern.name
                and match.namespace == pattern.namespace
            )
            if sibling:
                raise AssertionError(
                    f"{key}: the path {path} reaches {match.view_name}, not the pattern "
                    "it was built for; change its arguments"
                )
            instances.setdefault((key, path), UrlInstance(key, pattern, path))
    return list(instances.values())


# The world -------------------------------------------------------------------------


def _png() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 90), (0, 94, 165)).save(buffer, "PNG")
    return buffer.getvalue()


def with_authenticator(user):
    """Give a privileged person an authenticator app and recovery codes, as allauth's
    set-up page does and as their role requires."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    if Authenticator.Type.TOTP not in kinds:
        TOTP.activate(user, generate_totp_secret())
    if Authenticator.Type.RECOVERY_CODES not in kinds:
        RecoveryCodes.activate(user)
    return user


def sign_in(client, user):
    """Sign in as if by password and a TOTP code: the session records both methods,
    as allauth's own sign-in does, so a check on how someone signed in passes."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    client.force_login(user)
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    authenticator = Authenticator.objects.filter(user=user, type="totp").first()
    if authenticator is not None:
        records.append({"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


@dataclass
class World:
    """The people by role (``users``) and the objects the addresses name, read as
    attributes (``world.module``, ``world.export_a``...)."""

    users: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    """Everything the URLs need, created through the project's own services."""
    from allauth.account.models import EmailAddress
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.images import ImageFile
    from django.utils import timezone
    from wagtail.admin.models import EditingSession
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.models import (
        Collection,
        CollectionViewRestriction,
        GroupApprovalTask,
        PageViewRestriction,
        Site,
        UploadedFile,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    from accounts.roles import Role
    from assessments.models import QuizAttempt, Timepoint
    from content.curriculum import load_curriculum, parse_curriculum
    from content.models import ModuleIndexPage, ModulePage
    from evaluation.exports import services as exports
    from evaluation.exports.request import make_request
    from evaluation.models import ExportJob
    from learning.models import Enrolment
    from tests.evaluation.conftest import Person
    from tests.factories import (
        LessonPageFactory,
        ModulePageFactory,
        OfficeFactory,
        RegionFactory,
        UserFactory,
    )

    specs = {m.slug: m for m in parse_curriculum()}
    load_curriculum(modules=[specs["disclosure-conversations"], specs["working-with-peer-mentors"]])
    module = ModulePage.objects.get(slug="disclosure-conversations")
    other_module = ModulePage.objects.get(slug="working-with-peer-mentors")
    module_index = ModuleIndexPage.objects.get()

    region = RegionFactory(name="Matrix region", slug="matrix-region")
    office_a = OfficeFactory(name="Matrix office A", slug="matrix-office-a", region=region)
    office_x = OfficeFactory(name="Matrix office X", slug="matrix-office-x", region=region)

    def person(label, role, office, **fields):
        user = UserFactory(role=role, office=office, email=f"{label}@example.com", **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if role in (Role.TRAINER, Role.EVALUATOR, Role.ADMINISTRATOR):
            with_authenticator(user)
        return user

    users = {
        "coachA": person(
            "quillfeather.a",
            Role.WORK_COACH,
            office_a,
            first_name="Ada",
            last_name=COACH_A_SURNAME,
        ),
        "coachB": person("coach.b", Role.WORK_COACH, office_a, last_name="Bramble"),
        "leader": person("leader.x", Role.TEAM_LEADER, office_x),
        "trainer": person("trainer", Role.TRAINER, office_x),
        "evalA": person("evaluator.a", Role.EVALUATOR, office_x),
        "evalB": person("evaluator.b", Role.EVALUATOR, office_x),
        "admin": person("administrator", Role.ADMINISTRATOR, office_x),
    }
    assert users["coachA"].email == COACH_A_EMAIL

    # Coach A completes the module; coach B has only started it.
    Person(module, user=users["coachA"]).complete()
    Person(module, user=users["coachB"]).privacy()
    enrolment_a = Enrolment.objects.get(user=users["coachA"], module=module)
    attempts = QuizAttempt.objects.filter(user=users["coachA"], module=module)

    def finished_export(user):
        request = make_request(
            format="long", key_id="project-a", modules=["disclosure-conversations"]
        )
        job = ExportJob.objects.create(
            requester=user, format="long", key_id="project-a", filters=request.to_json()
        )
        exports.run_export_job(job.pk)
        job.refresh_from_db()
        return job

    # Images, documents and their collection.
    root_collection = Collection.get_first_root_node()
    collection = root_collection.add_child(name="Handouts")
    image = Image.objects.create(
        title="Office map", file=ImageFile(io.BytesIO(_png()), name="map.png")
    )
    document = Document.objects.create(
        title="Leaflet", file=ContentFile(b"Some words.", name="leaflet.txt")
    )
    uploaded_image = UploadedFile.objects.create(
        file=ContentFile(_png(), name="upload.png"),
        for_content_type=ContentType.objects.get_for_model(Image),
        uploaded_by_user=users["trainer"],
    )
    uploaded_document = UploadedFile.objects.create(
        file=ContentFile(b"Words.", name="upload.txt"),
        for_content_type=ContentType.objects.get_for_model(Document),
        uploaded_by_user=users["trainer"],
    )
    restricted_collection = root_collection.add_child(name="Restricted")
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=restricted_collection, restriction_type="password", password="letmein"
    )

    # A module of its own for the password-restricted page and the workflow in progress.
    restricted_page = ModulePageFactory(parent=module_index, slug="restricted-module")
    LessonPageFactory(parent=restricted_page, slug="restricted-lesson")
    page_restriction = PageViewRestriction.objects.create(
        page=restricted_page, restriction_type="password", password="letmein"
    )
    workflow_page = ModulePageFactory(parent=module_index, slug="module-in-review")
    workflow_page.save_revision(user=users["trainer"])
    task = GroupApprovalTask.objects.create(name="Administrators approve")
    task.groups.set([Group.objects.get(name=Role.ADMINISTRATOR.value)])
    workflow = Workflow.objects.create(name="Review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=workflow_page)
    page_workflow_state = workflow.start(workflow_page, users["trainer"])
    quiz = module.quiz
    quiz.save_revision(user=users["trainer"])
    quiz_workflow_state = workflow.start(quiz, users["trainer"])

    lesson = module.lessons()[0].specific
    editing_session = EditingSession.objects.create(
        user=users["trainer"],
        content_type=ContentType.objects.get_for_model(lesson, for_concrete_model=False),
        object_id=str(lesson.pk),
        last_seen_at=timezone.now(),
    )

    world = World(users=users)
    world.extra.update(
        module=module,
        other_module=other_module,
        module_index=module_index,
        lesson=lesson,
        quiz=quiz,
        survey=module.confidence_survey,
        office_a=office_a,
        office_x=office_x,
        site=Site.objects.get(is_default_site=True),
        attempt_a=attempts.filter(timepoint=Timepoint.POST).first(),
        attempt_a_pre=attempts.filter(timepoint=Timepoint.PRE).first(),
        certificate_code_a=enrolment_a.certificate_code,
        export_a=finished_export(users["evalA"]),
        export_b=finished_export(users["evalB"]),
        collection=collection,
        image=image,
        document=document,
        uploaded_image=uploaded_image,
        uploaded_document=uploaded_document,
        collection_restriction=collection_restriction,
        restricted_page=restricted_page,
        page_restriction=page_restriction,
        workflow_page=workflow_page,
        workflow=workflow,
        task=task,
        page_workflow_state=page_workflow_state,
        page_task_state=page_workflow_state.current_task_state,
        quiz_workflow_state=quiz_workflow_state,
        quiz_task_state=quiz_workflow_state.current_task_state,
        redirect=Redirect.objects.create(old_path="/old-modules", redirect_link="/modules/"),
        editing_session=editing_session,
    )
    assert world.certificate_code_a and world.attempt_a and world.attempt_a_pre
    return world


# The table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """What one person should get: a status; a redirect to ``location`` (its path;
    with a ``?``, the start of the whole address; ending in ``*``, the start of the
    path); or, with ``refused``, Wagtail's refusal to someone who may use the admin
    but not this part of it (back to the admin's dashboard, saying they lack
    permission)."""

    text: str
    status: int | None = None
    location: str | None = None
    refused: bool = False

    def matches(self, response) -> bool:
        status = response.status_code
        location = response.get("Location") or ""
        if self.refused:
            return (
                status == 302
                and location == ADMIN_HOME
                and any("permission" in str(m) for m in _messages(response))
            )
        if self.location is not None:
            if status not in (301, 302):
                return False
            if "?" in self.location:
                return location.startswith(self.location)
            if self.location.endswith("*"):
                return location.startswith(self.location[:-1])
            return location.split("?")[0] == self.location
        return status == self.status

    @property
    def denies(self) -> bool:
        """Whether this cell keeps the person out (so a POST must keep them out too)."""
        return self.refused or self.status in (403, 404) or self.location == LOGIN


ADMIN_HOME = "/admin/"
LOGIN = "/accounts/login/?next="


def _messages(response):
    request = getattr(response, "wsgi_request", None)
    return list(getattr(request, "_messages", []) or [])


def parse_cell(text: str, aliases: dict[str, str]) -> Cell:
    target = aliases.get(text, text)
    if target == "refused":
        return Cell(text, refused=True)
    if target.startswith(">"):
        return Cell(text, location=target[1:])
    if target.isdigit():
        return Cell(text, status=int(target))
    raise ValueError(f"Cannot read the cell {text!r}: use a status, >/path/ or an alias")


@dataclass(frozen=True)
class Row:
    selector: str  # an exact key, or a prefix ending in "*"
    cells: dict
    why: str
    line: int

    @property
    def is_rule(self) -> bool:
        return self.selector.endswith("*")

    def covers(self, key: str) -> bool:
        if self.is_rule:
            return key.startswith(self.selector[:-1])
        return key == self.selector


def parse_matrix(text: str, aliases: dict[str, str]) -> list[Row]:
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, len(ROLES) + 1)
        if len(parts) < len(ROLES) + 2:
            raise ValueError(
                f"Matrix line {number} needs a pattern, {len(ROLES)} cells and a reason: {raw!r}"
            )
        selector, *cells, why = parts
        parsed = dict(zip(ROLES, [parse_cell(c, aliases) for c in cells], strict=True))
        rows.append(Row(selector, parsed, why, number))
    selectors = [row.selector for row in rows]
    repeated = sorted({s for s in selectors if selectors.count(s) > 1})
    if repeated:
        raise ValueError(f"Matrix rows repeated: {', '.join(repeated)}")
    return rows


def row_for(key: str, rows: list[Row]) -> Row | None:
    """The exact row for ``key``, or else the rule with the longest matching prefix."""
    exact = [row for row in rows if not row.is_rule and row.covers(key)]
    if exact:
        return exact[0]
    rules = [row for row in rows if row.is_rule and row.covers(key)]
    return max(rules, key=lambda row: len(row.selector), default=None)


# Checking a response -----------------------------------------------------------------


def describe(response) -> str:
    if getattr(response, "error", None):
        return f"an error ({response.error})"
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} to {response.get('Location')}"
    return str(response.status_code)


def shows_coach_a(response) -> bool:
    """Whether a page shows coach A's name or email address."""
    kind = response.get("Content-Type") or ""
    if response.streaming or not ("text" in kind or "json" in kind):
        return False
    body = response.content.decode(errors="replace")
    return COACH_A_EMAIL in body or COACH_A_SURNAME in body


class Crash(SimpleNamespace):
    """Stands in for the response of a view that raised."""

    status_code = 500
    streaming = False

    def get(self, *_):
        return None


def request(client, method: str, path: str):
    """The response to one request, which changes nothing: it runs in a transaction
    that is rolled back, so requests cannot disturb each other's data."""
    from django.db import transaction

    try:
        with transaction.atomic():
            response = getattr(client, method)(path)
            if response.streaming:
                # Read to the end, as a server would: the test client then closes the
                # response itself, without closing the database connection.
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except Exception as exc:  # noqa: BLE001 - a crash is one more wrong cell to report
        return Crash(error=f"{type(exc).__name__}: {exc}"[:200])
    response.error = None
    return response
