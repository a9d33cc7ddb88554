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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from .markdown import render_markdown
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


def _rich_text(markdown_text: str) -> str:
    """Markdown to the sanitised HTML that Wagtail's rich text stores."""
    return str(render_markdown(markdown_text, govuk_classes=False))


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
            "value": {"kind": kind, "heading": attrs.get("heading", ""), "body": _rich_text(text)},
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
                "case": _rich_text(case),
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

    def flush_markdown():
        chunk = "\n".join(markdown_lines).strip()
        if chunk:
            blocks.append({"type": "markdown", "value": chunk})
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
            markdown_lines.append(line)
        i += 1
    flush_markdown()
    if not blocks:
        raise CurriculumError(f"{where_file}: the lesson has no content")
    return blocks


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        introduction_html=_rich_text(body),
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


def _apply(page: Page, values: dict) -> None:
    for name, value in values.items():
        setattr(page, name, value)


def _sync_page(
    parent: Page,
    model: type[Page],
    slug: str,
    values: dict,
    source: str,
    checksum: str,
    force: bool,
    report: LoadReport,
    label: str,
) -> Page:
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **values))
        revision = page.save_revision()
        revision.publish()
        CurriculumImport.objects.create(
            page=page, source=source, checksum=checksum, revision=revision
        )
        report.created.append(label)
        return page

    record = CurriculumImport.objects.filter(page=page).first()
    edited = record is None or record.page_edited_since()
    if edited and not force:
        report.skipped.append(label)
        return page
    if not edited and record.checksum == checksum and page.live:
        report.unchanged.append(label)
        return page

    page = page.get_latest_revision_as_object() if page.latest_revision_id else page
    _apply(page, values)
    revision = page.save_revision()
    revision.publish()
    CurriculumImport.objects.update_or_create(
        page=page, defaults={"source": source, "checksum": checksum, "revision": revision}
    )
    report.updated.append(label)
    return page


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
                },
                spec.source,
                spec.checksum,
                force,
                report,
                f"module '{spec.title}'",
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
            if on_progress:
                on_progress(spec.title)
    return report
