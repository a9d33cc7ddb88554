"""The starter curriculum: reviewable Markdown files turned into Wagtail pages.

``parse_curriculum`` reads every file first and raises ``CurriculumError`` naming the
file and line of the first problem, so a broken file never leaves half a module
behind. ``load_curriculum`` then creates or updates pages, and never overwrites a page
a trainer has edited in Wagtail since it was loaded (unless forced).
"""

from __future__ import annotations

import hashlib
import re
import shlex
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from assessments.models import ConfidenceSurvey, Quiz
from assessments.scales import SCALES

from .markdown import markdown_images, markdown_problems, render_markdown
from .models import CurriculumImport, HomePage, LessonPage, ModuleIndexPage, ModulePage

CURRICULUM_DIR = Path(__file__).resolve().parent / "curriculum"

HOME_TITLE = "Coach Academy"
HOME_INTRODUCTION = (
    "<p>Short modules for Jobcentre Plus work coaches on supporting customers who have "
    "a drug or alcohol dependency: talking about it, referring well, and working with "
    "peer mentors.</p>"
    "<p>Each module asks how confident you feel before and after, so we can see what "
    "the training changes.</p>"
)
INDEX_TITLE = "Modules"


class CurriculumError(Exception):
    """A curriculum file cannot be read. The message names the file and line."""


@dataclass
class LessonSpec:
    source: str
    checksum: str
    title: str
    slug: str
    summary: str
    estimated_minutes: int
    body: list[dict]


@dataclass
class InstrumentSpec:
    """A quiz or survey file, as the raw data of its snippet."""

    source: str
    checksum: str
    key: str
    values: dict


@dataclass
class ModuleSpec:
    source: str
    checksum: str
    title: str
    slug: str
    summary: str
    estimated_minutes: int
    audience: str
    outcomes: list[str]
    introduction_html: str
    settings: dict = field(default_factory=dict)
    quiz: InstrumentSpec | None = None
    survey: InstrumentSpec | None = None
    lessons: list[LessonSpec] = field(default_factory=list)


# Parsing -------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.DOTALL)
_DIRECTIVE_OPEN = re.compile(r"^:::\s*([a-z_]+)\s*(.*)$")
_DIRECTIVE_CLOSE = re.compile(r"^:::\s*$")


def _split_front_matter(path: Path, text: str, root: Path) -> tuple[dict, str, int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        raise CurriculumError(f"{_rel(path, root)}:1: file must start with '---' front matter")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        raise CurriculumError(f"{_rel(path, root)}:{line}: front matter is not valid YAML") from exc
    if not isinstance(meta, dict):
        raise CurriculumError(f"{_rel(path, root)}:2: front matter must be a mapping")
    body_start_line = text[: match.start(2)].count("\n") + 1
    return meta, match.group(2), body_start_line


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _require(meta: dict, key: str, where: str, kind=str):
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CurriculumError(f"{where}: front matter needs '{key}'")
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise CurriculumError(f"{where}: '{key}' must be a whole number of minutes")
        return value
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CurriculumError(f"{where}: '{key}' must be a list of sentences")
        return [v.strip() for v in value]
    return str(value).strip()


def _parse_attributes(raw: str, where: str) -> dict[str, str]:
    try:
        parts = shlex.split(raw)
    except ValueError as exc:
        raise CurriculumError(f"{where}: cannot read the directive's attributes ({exc})") from exc
    attributes = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep:
            raise CurriculumError(f"{where}: attribute '{part}' must be written key=\"value\"")
        attributes[key] = value
    return attributes


def _rich_text(markdown_text: str, where: str, what: str) -> str:
    """Markdown to the sanitised HTML that Wagtail's rich text stores. Images belong
    in the lesson's own Markdown, so one here is refused rather than lost."""
    if markdown_images(markdown_text) or markdown_problems(markdown_text, library=False):
        raise CurriculumError(
            f"{where}: images cannot go in {what}; put the image in the lesson's "
            "Markdown, outside any ':::' block"
        )
    return str(render_markdown(markdown_text, govuk_classes=False))


def _check_markdown(chunk: str, where_file: str, first_line: int) -> None:
    """Refuse an image that cannot be shown, naming its line (``first_line`` is the
    file's line number of the chunk's first line)."""
    problems = markdown_problems(chunk)
    if problems:
        line, message = problems[0]
        raise CurriculumError(f"{where_file}:{first_line + line - 1}: {message}")


def _directive_block(name: str, attrs: dict, text: str, where: str) -> dict:
    def need(key):
        if not attrs.get(key):
            raise CurriculumError(f"{where}: '{name}' needs {key}=\"...\"")
        return attrs[key]

    if name == "callout":
        kind = attrs.get("kind", "information")
        if kind not in {"information", "warning", "content_note"}:
            raise CurriculumError(
                f"{where}: callout kind must be information, warning or content_note"
            )
        return {
            "type": "callout",
            "value": {
                "kind": kind,
                "heading": attrs.get("heading", ""),
                "body": _rich_text(text, where, "a callout"),
            },
        }
    if name == "quote":
        return {
            "type": "quote",
            "value": {
                "quote": text.strip(),
                "attribution": need("attribution"),
                "role": attrs.get("role", ""),
            },
        }
    if name == "scenario":
        parts = re.split(r"^---\s*$", text, flags=re.MULTILINE)
        if len(parts) != 2:
            raise CurriculumError(
                f"{where}: a scenario needs the case, a line '---', then the reflection prompt"
            )
        case, prompt = (p.strip() for p in parts)
        if not case or not prompt:
            raise CurriculumError(f"{where}: a scenario needs both a case and a prompt")
        return {
            "type": "scenario",
            "value": {
                "heading": attrs.get("heading", "Scenario"),
                "case": _rich_text(case, where, "a scenario"),
                "reflection_prompt": prompt,
            },
        }
    if name == "resource":
        return {
            "type": "resource",
            "value": {
                "title": need("title"),
                "description": text.strip(),
                "document": None,
                "url": need("url"),
            },
        }
    if name == "video":
        return {
            "type": "video",
            "value": {
                "video": need("url"),
                "caption": attrs.get("caption", ""),
                "transcript": text.strip(),
            },
        }
    raise CurriculumError(f"{where}: unknown directive '{name}'")


def parse_lesson_body(text: str, where_file: str, first_line: int = 1) -> list[dict]:
    """Split a lesson body into StreamField raw data: plain Markdown between
    directives becomes Markdown blocks."""
    blocks: list[dict] = []
    markdown_lines: list[str] = []
    markdown_start = first_line  # the file's line number of markdown_lines[0]

    def flush_markdown():
        chunk = "\n".join(markdown_lines)
        if chunk.strip():
            _check_markdown(chunk, where_file, markdown_start)
            blocks.append({"type": "markdown", "value": chunk.strip()})
        markdown_lines.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _DIRECTIVE_OPEN.match(line)
        if opening:
            where = f"{where_file}:{first_line + i}"
            flush_markdown()
            name, raw_attrs = opening.groups()
            attrs = _parse_attributes(raw_attrs, where)
            inner: list[str] = []
            i += 1
            while i < len(lines) and not _DIRECTIVE_CLOSE.match(lines[i]):
                if _DIRECTIVE_OPEN.match(lines[i]):
                    raise CurriculumError(
                        f"{where_file}:{first_line + i}: directive opened inside '{name}' "
                        "(close the first one with ':::')"
                    )
                inner.append(lines[i])
                i += 1
            if i >= len(lines):
                raise CurriculumError(f"{where}: '{name}' is never closed with ':::'")
            blocks.append(_directive_block(name, attrs, "\n".join(inner), where))
        elif _DIRECTIVE_CLOSE.match(line):
            raise CurriculumError(f"{where_file}:{first_line + i}: ':::' closes nothing")
        else:
            if not markdown_lines:
                markdown_start = first_line + i
            markdown_lines.append(line)
        i += 1
    flush_markdown()
    if not blocks:
        raise CurriculumError(f"{where_file}: the lesson has no content")
    return blocks


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


MODULE_SETTINGS = ("pass_mark_percent", "post_quiz_attempts", "follow_up_days")
QUESTION_TYPES = {"scenario", "single_choice", "multiple_choice", "true_false"}
BLOCK_ID_NAMESPACE = uuid.UUID("5d0c3a52-6a43-4f0e-9b8e-4b7c1f0a2e11")


def _block_id(*parts: str) -> str:
    """A stable block id, so a file's question keeps its id from load to load."""
    return str(uuid.uuid5(BLOCK_ID_NAMESPACE, "/".join(parts)))


def _load_yaml(path: Path, root: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    where = _rel(path, root)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise CurriculumError(f"{where}:{line}: not valid YAML") from exc
    if not isinstance(data, dict):
        raise CurriculumError(f"{where}: must be a mapping of keys to values")
    return data, text


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CurriculumError(f"{where}: needs '{key}'")
    return value.strip()


def _keyed_entries(data: dict, name: str, noun: str, where: str):
    """Yield (key, entry, where) for each mapping in ``data[name]``; keys are unique."""
    entries = data.get(name)
    if not isinstance(entries, list) or not entries:
        raise CurriculumError(f"{where}: needs a list of '{name}'")
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        here = f"{where}: {noun} {number}"
        if not isinstance(entry, dict):
            raise CurriculumError(f"{here}: must be a mapping")
        key = _text(entry, "key", here)
        if key in seen:
            raise CurriculumError(f"{here}: key '{key}' is used twice")
        seen.add(key)
        yield key, entry, here


def parse_quiz(path: Path, module_slug: str, root: Path = CURRICULUM_DIR) -> InstrumentSpec:
    data, text = _load_yaml(path, root)
    where = _rel(path, root)
    stream = []
    for key, question, here in _keyed_entries(data, "questions", "question", where):
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            raise CurriculumError(
                f"{here}: type must be one of {', '.join(sorted(QUESTION_TYPES))}"
            )
        if kind == "true_false":
            if not isinstance(question.get("answer"), bool):
                raise CurriculumError(f"{here}: 'answer' must be true or false")
            value = {
                "statement": _text(question, "statement", here),
                "answer": question["answer"],
                "feedback_true": _text(question, "feedback_true", here),
                "feedback_false": _text(question, "feedback_false", here),
                "explanation": _text(question, "explanation", here),
            }
        else:
            options = question.get("options")
            if not isinstance(options, list) or len(options) < 2:
                raise CurriculumError(f"{here}: needs at least two 'options'")
            items = []
            for index, option in enumerate(options, start=1):
                there = f"{here}, option {index}"
                if not isinstance(option, dict) or not isinstance(option.get("correct"), bool):
                    raise CurriculumError(f"{there}: needs text, correct (true/false) and feedback")
                items.append(
                    {
                        "type": "item",
                        "id": _block_id(module_slug, "quiz", key, str(index)),
                        "value": {
                            "text": _text(option, "text", there),
                            "correct": option["correct"],
                            "feedback": _text(option, "feedback", there),
                        },
                    }
                )
            correct = sum(1 for item in items if item["value"]["correct"])
            if kind == "multiple_choice" and correct < 1:
                raise CurriculumError(f"{here}: mark at least one option correct")
            if kind != "multiple_choice" and correct != 1:
                raise CurriculumError(f"{here}: mark exactly one option correct")
            value = {
                "question": _text(question, "question", here),
                "options": items,
                "explanation": _text(question, "explanation", here),
            }
            if kind == "scenario":
                value["case"] = _text(question, "case", here)
        stream.append({"type": kind, "id": _block_id(module_slug, "quiz", key), "value": value})
    return InstrumentSpec(
        source=where,
        checksum=_checksum(text),
        key=f"{module_slug}-quiz",
        values={
            "title": _text(data, "title", where),
            "introduction": str(data.get("introduction") or "").strip(),
            "questions": stream,
        },
    )


def parse_survey(path: Path, module_slug: str, root: Path = CURRICULUM_DIR) -> InstrumentSpec:
    data, text = _load_yaml(path, root)
    where = _rel(path, root)
    scale = data.get("scale", "confidence_5")
    if scale not in SCALES:
        raise CurriculumError(f"{where}: scale must be one of {', '.join(SCALES)}")
    stream = []
    for key, item, here in _keyed_entries(data, "items", "item", where):
        reverse = item.get("reverse_coded", False)
        if not isinstance(reverse, bool):
            raise CurriculumError(f"{here}: 'reverse_coded' must be true or false")
        stream.append(
            {
                "type": "item",
                "id": _block_id(module_slug, "survey", key),
                "value": {
                    "statement": _text(item, "statement", here),
                    "competency": str(item.get("competency") or "").strip(),
                    "reverse_coded": reverse,
                },
            }
        )
    return InstrumentSpec(
        source=where,
        checksum=_checksum(text),
        key=f"{module_slug}-survey",
        values={
            "title": _text(data, "title", where),
            "introduction": str(data.get("introduction") or "").strip(),
            "scale": scale,
            "then_test_wording": _text(data, "then_test_wording", where),
            "items": stream,
        },
    )


def parse_module(directory: Path, root: Path = CURRICULUM_DIR) -> ModuleSpec:
    module_file = directory / "module.md"
    if not module_file.exists():
        raise CurriculumError(f"{_rel(directory, root)}: has no module.md")
    text = module_file.read_text(encoding="utf-8")
    meta, body, _ = _split_front_matter(module_file, text, root)
    where = _rel(module_file, root)
    slug = _require(meta, "slug", where)
    if slug != slugify(slug):
        raise CurriculumError(f"{where}: slug '{slug}' may use only a-z, 0-9 and hyphens")
    module = ModuleSpec(
        source=where,
        checksum=_checksum(text),
        title=_require(meta, "title", where),
        slug=slug,
        summary=_require(meta, "summary", where),
        estimated_minutes=_require(meta, "estimated_minutes", where, int),
        audience=str(meta.get("audience") or "").strip(),
        outcomes=_require(meta, "outcomes", where, list),
        introduction_html=_rich_text(body, where, "the module introduction"),
    )
    for name in MODULE_SETTINGS:
        if name in meta:
            module.settings[name] = _require(meta, name, where, int)
    quiz_file, survey_file = directory / "quiz.yaml", directory / "survey.yaml"
    if quiz_file.exists():
        module.quiz = parse_quiz(quiz_file, slug, root)
    if survey_file.exists():
        module.survey = parse_survey(survey_file, slug, root)
    # The module page links to its quiz and survey, so they count as its content.
    module.checksum = _checksum(
        text
        + (module.quiz.key if module.quiz else "")
        + (module.survey.key if module.survey else "")
    )
    lesson_files = sorted(p for p in directory.glob("*.md") if p.name != "module.md")
    if not lesson_files:
        raise CurriculumError(f"{_rel(directory, root)}: has no lesson files")
    seen: set[str] = set()
    for path in lesson_files:
        lesson_text = path.read_text(encoding="utf-8")
        lesson_where = _rel(path, root)
        lesson_meta, lesson_body, body_line = _split_front_matter(path, lesson_text, root)
        lesson_slug = _require(lesson_meta, "slug", lesson_where)
        if lesson_slug != slugify(lesson_slug):
            raise CurriculumError(f"{lesson_where}: slug '{lesson_slug}' is not a valid slug")
        if lesson_slug in seen:
            raise CurriculumError(f"{lesson_where}: another lesson already uses '{lesson_slug}'")
        seen.add(lesson_slug)
        module.lessons.append(
            LessonSpec(
                source=lesson_where,
                checksum=_checksum(lesson_text),
                title=_require(lesson_meta, "title", lesson_where),
                slug=lesson_slug,
                summary=str(lesson_meta.get("summary") or "").strip(),
                estimated_minutes=_require(lesson_meta, "estimated_minutes", lesson_where, int),
                body=parse_lesson_body(lesson_body, lesson_where, body_line),
            )
        )
    return module


def parse_curriculum(root: Path = CURRICULUM_DIR) -> list[ModuleSpec]:
    if not root.is_dir():
        raise CurriculumError(f"{root}: curriculum folder not found")
    directories = sorted(p for p in root.iterdir() if p.is_dir())
    if not directories:
        raise CurriculumError(f"{root}: no module folders found")
    modules = [parse_module(d, root) for d in directories]
    slugs = [m.slug for m in modules]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise CurriculumError(f"{root}: module slug used twice: {', '.join(sorted(duplicates))}")
    return modules


# Loading -------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def ensure_site_tree() -> ModuleIndexPage:
    """The home page (as the default site's root) and the module index under it."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's placeholder welcome page may already hold the slug "home".
        slug = "coach-academy" if root.get_children().filter(slug="home").exists() else "home"
        home = root.add_child(
            instance=HomePage(title=HOME_TITLE, slug=slug, introduction=HOME_INTRODUCTION)
        )
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=HOME_TITLE,
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = site.site_name or HOME_TITLE
        site.save()
        # Wagtail's placeholder welcome page is a plain Page with no children.
        if type(old_root.specific) is Page and not old_root.get_children().exists():
            old_root.delete()
    index = ModuleIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(instance=ModuleIndexPage(title=INDEX_TITLE, slug="modules"))
        index.save_revision().publish()
    return index


def _apply(obj, values: dict) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def _publish(obj, source: str, checksum: str):
    revision = obj.save_revision()
    revision.publish()
    CurriculumImport.record(obj, source=source, checksum=checksum, revision=revision)


def _sync(existing, create, values, source, checksum, force, report, label, later=None):
    """Create, update, leave alone, or skip one page or snippet. With ``later`` (a
    list), the publishing is appended to it instead of done now."""

    def publish(obj):
        if later is None:
            _publish(obj, source, checksum)
        else:
            later.append(lambda: _publish(obj, source, checksum))

    if existing is None:
        obj = create()
        publish(obj)
        report.created.append(label)
        return obj
    record = CurriculumImport.for_object(existing)
    edited = record is None or record.edited_since(existing)
    if edited and not force:
        report.skipped.append(label)
        return existing
    if not edited and record.checksum == checksum and existing.live:
        report.unchanged.append(label)
        return existing
    obj = existing.get_latest_revision_as_object() if existing.latest_revision_id else existing
    _apply(obj, values)
    publish(obj)
    report.updated.append(label)
    return obj


def _sync_page(parent, model, slug, values, source, checksum, force, report, label, later=None):
    def create():
        # Created as a draft: it goes live when it is published.
        return parent.add_child(instance=model(slug=slug, live=False, **values))

    existing = model.objects.child_of(parent).filter(slug=slug).first()
    return _sync(existing, create, values, source, checksum, force, report, label, later)


def _sync_instrument(model, spec: InstrumentSpec, force, report, label):
    def create():
        obj = model(key=spec.key, live=False, **spec.values)
        obj.save()
        return obj

    existing = model.objects.filter(key=spec.key).first()
    return _sync(existing, create, spec.values, spec.source, spec.checksum, force, report, label)


def load_curriculum(
    root: Path = CURRICULUM_DIR,
    *,
    force: bool = False,
    modules: list[ModuleSpec] | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Create or update every module and lesson page. All or nothing."""
    specs = modules if modules is not None else parse_curriculum(root)
    report = LoadReport()
    with transaction.atomic():
        index = ensure_site_tree()
        for spec in specs:
            instruments = {}
            if spec.quiz:
                instruments["quiz"] = _sync_instrument(
                    Quiz, spec.quiz, force, report, f"quiz for '{spec.title}'"
                )
            if spec.survey:
                instruments["confidence_survey"] = _sync_instrument(
                    ConfidenceSurvey, spec.survey, force, report, f"survey for '{spec.title}'"
                )
            # A module goes live only with live lessons, so it is published after them.
            publish_module: list[Callable[[], None]] = []
            module = _sync_page(
                index,
                ModulePage,
                spec.slug,
                {
                    "title": spec.title,
                    "summary": spec.summary,
                    "estimated_minutes": spec.estimated_minutes,
                    "audience": spec.audience,
                    "introduction": spec.introduction_html,
                    "learning_outcomes": [
                        {"type": "outcome", "value": outcome} for outcome in spec.outcomes
                    ],
                    **instruments,
                    "uses_quiz": "quiz" in instruments,
                    "uses_survey": "confidence_survey" in instruments,
                    **spec.settings,
                },
                spec.source,
                spec.checksum,
                force,
                report,
                f"module '{spec.title}'",
                later=publish_module,
            )
            for lesson in spec.lessons:
                _sync_page(
                    module,
                    LessonPage,
                    lesson.slug,
                    {
                        "title": lesson.title,
                        "summary": lesson.summary,
                        "estimated_minutes": lesson.estimated_minutes,
                        "body": lesson.body,
                    },
                    lesson.source,
                    lesson.checksum,
                    force,
                    report,
                    f"lesson '{lesson.title}' in '{spec.title}'",
                )
            for publish in publish_module:
                publish()
            if on_progress:
                on_progress(spec.title)
    return report
