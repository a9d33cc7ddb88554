"""The curriculum's fact table (content/curriculum/facts.yaml) and the check that every
figure a lesson states comes from one of the sources the lesson names.

The check is deliberately simple: it finds the numerals in a lesson's text (its title,
summary and every block except invented ``scenario`` cases) and asks that each one
appears in the citation or the facts of a source in the lesson's ``sources:`` list.
A module's quiz is checked the same way against all its lessons' sources, leaving out
each question's ``case``. It catches a figure typed wrongly or carried over without a
source; it cannot tell whether a sentence reads a figure correctly, which is the
reviewer's job (content/curriculum/REVIEW.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .curriculum import CURRICULUM_DIR, _split_front_matter, parse_lesson_body

FACT_TABLE = "facts.yaml"
SOURCES_LESSON_SLUG = "sources-and-further-reading"

# "2,994" and "2994" are one figure; "0300 123 6600" is three numerals, each of which
# must be in the table (which holds the whole number).
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")
# An ordered-list marker ("1. ") numbers steps; it states nothing.
_LIST_MARKER = re.compile(r"^\s*\d+\.\s", re.MULTILINE)
# Tags in rendered rich text ("<h2>") and link targets ("](https://...)") are not prose.
_MARKUP = re.compile(r"<[^>]*>|\]\([^)]*\)")


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    url: str
    recheck: bool
    figures: tuple[str, ...]

    def numerals(self) -> set[str]:
        text = " ".join((self.citation, *self.figures))
        return numerals(text)


def numerals(text: str) -> set[str]:
    prose = _LIST_MARKER.sub(" ", _MARKUP.sub(" ", text))
    return {match.replace(",", "") for match in _NUMERAL.findall(prose)}


def load_fact_table(root: Path = CURRICULUM_DIR) -> dict[str, Source]:
    data = yaml.safe_load((root / FACT_TABLE).read_text(encoding="utf-8"))
    sources = {}
    for key, entry in (data.get("sources") or {}).items():
        sources[key] = Source(
            key=key,
            citation=" ".join(str(entry["citation"]).split()),
            url=str(entry.get("url") or ""),
            recheck=bool(entry.get("recheck")),
            figures=tuple(str(fact["figure"]) for fact in entry.get("facts") or []),
        )
    return sources


def _block_text(block: dict) -> str:
    value = block["value"]
    if block["type"] == "scenario":
        return ""  # an invented case: its ages and times are not claims
    if isinstance(value, str):
        return value
    return " ".join(
        str(value.get(name) or "")
        for name in ("heading", "body", "quote", "attribution", "role", "title", "description")
    )


@dataclass(frozen=True)
class Lesson:
    path: Path
    sources: tuple[str, ...]
    text: str


def read_lessons(module_dir: Path) -> list[Lesson]:
    lessons = []
    for path in sorted(module_dir.glob("[0-9][0-9]-*.md")):
        raw = path.read_text(encoding="utf-8")
        meta, body, line = _split_front_matter(path, raw, module_dir.parent)
        blocks = parse_lesson_body(body, str(path), line)
        text = " ".join(
            [str(meta.get("title") or ""), str(meta.get("summary") or "")]
            + [_block_text(block) for block in blocks]
        )
        lessons.append(Lesson(path, tuple(meta.get("sources") or ()), text))
    return lessons


def _quiz_text(path: Path) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parts = [str(data.get("title") or ""), str(data.get("introduction") or "")]
    for question in data.get("questions") or []:
        for name in ("question", "statement", "explanation", "feedback_true", "feedback_false"):
            parts.append(str(question.get(name) or ""))
        for option in question.get("options") or []:
            parts += [str(option.get("text") or ""), str(option.get("feedback") or "")]
    return " ".join(parts)


def unsourced_figures(root: Path = CURRICULUM_DIR) -> list[str]:
    """Every problem found, as "file: message" lines; empty when all is sourced."""
    table = load_fact_table(root)
    problems = []
    for module_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        module_sources: set[str] = set()
        for lesson in read_lessons(module_dir):
            where = lesson.path.relative_to(root)
            if not lesson.sources:
                problems.append(f"{where}: front matter has no 'sources:' list")
                continue
            unknown = [key for key in lesson.sources if key not in table]
            if unknown:
                problems.append(f"{where}: sources not in {FACT_TABLE}: {', '.join(unknown)}")
            known = [table[key] for key in lesson.sources if key in table]
            module_sources.update(source.key for source in known)
            allowed = set().union(*(source.numerals() for source in known))
            for figure in sorted(numerals(lesson.text) - allowed):
                problems.append(
                    f"{where}: states {figure}, which none of its sources "
                    f"({', '.join(lesson.sources)}) carries in {FACT_TABLE}"
                )
        quiz = module_dir / "quiz.yaml"
        if quiz.exists():
            allowed = set().union(*(table[key].numerals() for key in module_sources))
            for figure in sorted(numerals(_quiz_text(quiz)) - allowed):
                problems.append(
                    f"{quiz.relative_to(root)}: states {figure}, which none of the "
                    f"module's sources carries in {FACT_TABLE}"
                )
    return problems
