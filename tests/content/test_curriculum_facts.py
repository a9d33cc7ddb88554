"""Every figure the curriculum states comes from a named source in the fact table."""

import re
import shutil

import pytest

from content.curriculum import CURRICULUM_DIR
from content.facts import load_fact_table, numerals, unsourced_figures


@pytest.fixture
def curriculum_copy(tmp_path):
    target = tmp_path / "curriculum"
    shutil.copytree(CURRICULUM_DIR, target)
    return target


def _append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def test_every_figure_in_the_curriculum_is_in_the_fact_table_for_its_lesson():
    assert unsourced_figures() == []


def test_every_lesson_names_its_sources_and_each_is_in_the_table():
    table = load_fact_table()
    for path in sorted(CURRICULUM_DIR.glob("*/[0-9][0-9]-*.md")):
        header = path.read_text(encoding="utf-8").split("---\n")[1]
        assert "sources:" in header, path
    for source in table.values():
        assert source.citation and source.url.startswith("http"), source.key


def test_a_figure_no_source_carries_fails(curriculum_copy):
    lesson = next((curriculum_copy / "working-with-peer-mentors").glob("02-*.md"))
    _append(lesson, "About 75% of mentees found work within a year.")
    problems = unsourced_figures(curriculum_copy)
    assert any("02-the-value-of-lived-experience.md: states 75" in p for p in problems)


def test_a_figure_from_a_source_the_lesson_does_not_name_fails(curriculum_copy):
    # 1,720 is in the table, but for the IPS trial, which this lesson does not cite.
    lesson = next((curriculum_copy / "working-with-peer-mentors").glob("01-*.md"))
    _append(lesson, "The IPS trial randomised 1,720 people.")
    problems = unsourced_figures(curriculum_copy)
    assert any("01-what-peer-mentors-do.md: states 1720" in p for p in problems)


def test_a_mistyped_figure_fails(curriculum_copy):
    lesson = next((curriculum_copy / "disclosure-conversations").glob("04-*.md"))
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("0300 123 6600", "0300 123 6060", 1), encoding="utf-8")
    assert any("states 6060" in p for p in unsourced_figures(curriculum_copy))


def test_a_quiz_figure_must_come_from_the_modules_sources(curriculum_copy):
    quiz = curriculum_copy / "referral-practice-and-pathways" / "quiz.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(
        text.replace("question: What is the best next step?", "question: Of 4,200, what next?", 1),
        encoding="utf-8",
    )
    assert any("quiz.yaml: states 4200" in p for p in unsourced_figures(curriculum_copy))


def test_a_lesson_without_sources_fails(curriculum_copy):
    lesson = next((curriculum_copy / "referral-practice-and-pathways").glob("04-*.md"))
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(re.sub(r"sources:\n(  - .*\n)+", "", text, count=1), encoding="utf-8")
    assert any("no 'sources:' list" in p for p in unsourced_figures(curriculum_copy))


def test_an_unknown_source_fails(curriculum_copy):
    lesson = next((curriculum_copy / "referral-practice-and-pathways").glob("02-*.md"))
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("  - uk-gdpr", "  - a-blog-post", 1), encoding="utf-8")
    assert any("a-blog-post" in p for p in unsourced_figures(curriculum_copy))


def test_invented_cases_in_scenarios_are_not_checked(curriculum_copy):
    lesson = next((curriculum_copy / "working-with-peer-mentors").glob("03-*.md"))
    _append(lesson, '::: scenario heading="x"\nSam, 77, calls.\n---\nWhat next?\n:::')
    assert unsourced_figures(curriculum_copy) == []


def test_numerals_are_read_as_figures():
    assert numerals("2,994 people; 58%; call 0300 123 6600.\n1. A step") == {
        "2994",
        "58",
        "0300",
        "123",
        "6600",
    }


def test_every_source_a_policy_owner_must_recheck_is_named_in_the_review():
    review = (CURRICULUM_DIR / "REVIEW.md").read_text(encoding="utf-8")
    for source in load_fact_table().values():
        if source.recheck:
            assert f"`{source.key}`" in review, source.key
