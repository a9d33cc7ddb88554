"""The starter curriculum files and ``load_curriculum``."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from content.curriculum import (
    CURRICULUM_DIR,
    CurriculumError,
    load_curriculum,
    parse_curriculum,
    parse_lesson_body,
)
from content.models import LessonPage, ModulePage

MODULE_SLUGS = [
    "disclosure-conversations",
    "referral-practice-and-pathways",
    "working-with-peer-mentors",
]


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_curriculum", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def curriculum_copy(tmp_path):
    target = tmp_path / "curriculum"
    shutil.copytree(CURRICULUM_DIR, target)
    return target


class TestStarterCurriculumFiles:
    def test_three_modules_with_three_to_five_lessons_and_sources_last(self):
        modules = parse_curriculum()
        assert [m.slug for m in modules] == MODULE_SLUGS
        for module in modules:
            assert 4 <= len(module.lessons) <= 6
            teaching = module.lessons[:-1]
            assert 3 <= len(teaching) <= 5
            assert module.lessons[-1].title == "Sources and further reading"
            assert 4 <= len(module.outcomes) <= 8
            for lesson in teaching:
                assert 5 <= lesson.estimated_minutes <= 10
                assert any(b["type"] == "scenario" for b in lesson.body), lesson.source

    def test_lessons_about_suicide_or_self_harm_open_with_a_content_note(self):
        for module in parse_curriculum():
            for lesson in module.lessons:
                if lesson.title == "Sources and further reading":
                    continue
                text = " ".join(
                    str(b["value"]).lower() for b in lesson.body if b["type"] != "callout"
                )
                if "suicid" in text or "self-harm" in text or "overdose" in text:
                    first = lesson.body[0]
                    assert first["type"] == "callout", lesson.source
                    assert first["value"]["kind"] == "content_note", lesson.source

    def test_no_stigmatising_labels_outside_quoted_examples(self):
        for path in CURRICULUM_DIR.glob("*/*.md"):
            for line in path.read_text().splitlines():
                lowered = line.lower()
                for word in (" addicts ", " an addict ", " junkie"):
                    if word in f" {lowered} ":
                        # Allowed only as a quoted example of what not to say.
                        assert '"' in line or "“" in line or "'" in line, f"{path}: {line}"


class TestParsing:
    def test_markdown_and_directives_become_blocks(self):
        body = parse_lesson_body(
            "Intro **text**.\n\n"
            '::: callout kind="warning" heading="Careful"\nMind the *gap*.\n:::\n\n'
            '::: quote attribution="Mentee" role="Composite"\nI was heard.\n:::\n\n'
            '::: scenario heading="Case"\nSam is late.\n---\nWhat would you say?\n:::\n\n'
            '::: resource title="FRANK" url="https://www.talktofrank.com"\nAdvice.\n:::\n\n'
            '::: video url="https://video.example/x" caption="Film"\n:::\n'
            "Outro.",
            "lesson.md",
        )
        assert [b["type"] for b in body] == [
            "markdown", "callout", "quote", "scenario", "resource", "video", "markdown",
        ]  # fmt: skip
        assert body[1]["value"]["body"] == "<p>Mind the <em>gap</em>.</p>"
        assert body[3]["value"]["reflection_prompt"] == "What would you say?"
        assert body[4]["value"]["url"] == "https://www.talktofrank.com"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('::: callout kind="loud"\nx\n:::', "callout kind must be"),
            ("::: quote\nx\n:::", "'quote' needs attribution"),
            ('::: scenario heading="x"\nno separator\n:::', "a line '---'"),
            ("::: callout\nnever closed", "never closed"),
            ("text\n:::\n", "closes nothing"),
            ("::: banner\nx\n:::", "unknown directive 'banner'"),
            ('::: callout heading="unterminated\nx\n:::', "cannot read"),
            ("", "no content"),
        ],
    )
    def test_bad_lesson_bodies_name_the_problem(self, text, message):
        with pytest.raises(CurriculumError, match=message):
            parse_lesson_body(text, "lesson.md")

    def test_errors_name_the_file_and_line(self, curriculum_copy):
        lesson = sorted((curriculum_copy / "disclosure-conversations").glob("02-*.md"))[0]
        lines = lesson.read_text().splitlines()
        lines += ["", '::: mystery a="b"', "x", ":::"]
        lesson.write_text("\n".join(lines))
        expected = len(lines) - 2
        with pytest.raises(
            CurriculumError,
            match=rf"disclosure-conversations/02-.*\.md:{expected}: unknown directive",
        ):
            parse_curriculum(curriculum_copy)

    def test_bad_front_matter(self, curriculum_copy):
        module = curriculum_copy / "referral-practice-and-pathways" / "module.md"
        module.write_text(module.read_text().replace("estimated_minutes: ", "estimated_minutes: x"))
        with pytest.raises(CurriculumError, match="whole number of minutes"):
            parse_curriculum(curriculum_copy)


@pytest.mark.django_db
class TestLoading:
    def test_loads_every_module_and_lesson_published(self):
        output = run()
        assert "3 modules; 24 items created" in output
        for slug in MODULE_SLUGS:
            module = ModulePage.objects.get(slug=slug)
            assert module.live
            assert module.lessons().count() == 5
        assert LessonPage.objects.live().count() == 15

    def test_running_again_changes_nothing(self):
        run()
        revisions = {p.pk: p.latest_revision_id for p in LessonPage.objects.all()}
        output = run()
        assert "0 items created, 0 updated, 24 unchanged, 0 skipped" in output
        assert revisions == {p.pk: p.latest_revision_id for p in LessonPage.objects.all()}

    def test_a_changed_file_updates_its_page(self, curriculum_copy):
        load_curriculum(curriculum_copy)
        lesson_file = sorted((curriculum_copy / "working-with-peer-mentors").glob("01-*.md"))[0]
        lesson_file.write_text(lesson_file.read_text().replace("title: ", "title: Revised - ", 1))
        report = load_curriculum(curriculum_copy)
        assert len(report.updated) == 1
        assert LessonPage.objects.filter(title__startswith="Revised - ", live=True).count() == 1

    def test_a_page_a_trainer_edited_is_skipped_and_kept(self, curriculum_copy):
        load_curriculum(curriculum_copy)
        page = LessonPage.objects.get(slug="opening-the-conversation")
        page.title = "Opening the conversation (our office's version)"
        page.save_revision().publish()
        lesson_file = sorted((curriculum_copy / "disclosure-conversations").glob("01-*.md"))[0]
        lesson_file.write_text(lesson_file.read_text() + "\nOne more line.\n")

        output = io.StringIO()
        call_command("load_curriculum", "--path", str(curriculum_copy), stdout=output)
        assert "Skipped lesson 'Opening the conversation'" in output.getvalue()
        assert "--force" in output.getvalue()
        page.refresh_from_db()
        assert page.title == "Opening the conversation (our office's version)"

    def test_a_draft_edit_is_respected_too(self):
        load_curriculum()
        page = LessonPage.objects.get(slug="what-peer-mentors-do")
        page.title = "Draft title"
        page.save_revision()  # saved, not published
        report = load_curriculum()
        assert any("What peer mentors do" in label for label in report.skipped)

    def test_force_overwrites_the_edit(self):
        load_curriculum()
        page = LessonPage.objects.get(slug="mapping-local-routes")
        original_title = page.title
        page.title = "Edited"
        page.save_revision().publish()
        output = run("--force")
        assert "Updated lesson" in output
        page.refresh_from_db()
        assert page.title == original_title
        # After forcing, the loader owns the page again.
        assert "0 skipped" in run()

    def test_a_broken_file_loads_nothing_and_exits_non_zero(self, curriculum_copy):
        broken = curriculum_copy / "working-with-peer-mentors" / "module.md"
        broken.write_text(broken.read_text().replace("title:", "title: [unclosed", 1))
        with pytest.raises(CommandError, match="Curriculum not loaded: .*module.md"):
            call_command("load_curriculum", "--path", str(curriculum_copy), stdout=io.StringIO())
        assert ModulePage.objects.count() == 0

    def test_a_missing_folder_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="curriculum folder not found"):
            call_command("load_curriculum", "--path", str(tmp_path / "nope"))

    def test_the_site_root_is_the_home_page(self):
        from wagtail.models import Site

        load_curriculum()
        site = Site.objects.get(is_default_site=True)
        assert site.root_page.specific.__class__.__name__ == "HomePage"
        assert ModulePage.objects.first().url.startswith("/modules/")


def test_curriculum_dir_is_in_the_repository():
    assert Path(CURRICULUM_DIR, "README.md").exists()


@pytest.mark.django_db
class TestInstruments:
    def test_each_module_gets_its_quiz_and_survey_published_as_version_one(self):
        load_curriculum()
        for slug in MODULE_SLUGS:
            module = ModulePage.objects.get(slug=slug)
            quiz, survey = module.quiz, module.confidence_survey
            assert quiz.live and survey.live
            assert quiz.key == f"{slug}-quiz"
            version = quiz.latest_version
            assert version.number == 1
            questions = list(version.questions.all())
            assert 5 <= len(questions) <= 8
            assert sum(q.kind == "scenario" for q in questions) >= 5
            for question in questions:
                assert question.explanation
                assert all(choice.feedback for choice in question.choices.all())
            items = list(survey.latest_version.items.all())
            assert 6 <= len(items) <= 8
            assert survey.latest_version.scale_key == "confidence_5"
            assert survey.latest_version.then_test_wording.startswith("Thinking back")

    def test_reloading_keeps_version_one_and_block_ids(self):
        load_curriculum()
        quiz = ModulePage.objects.get(slug=MODULE_SLUGS[0]).quiz
        ids = list(quiz.latest_version.questions.values_list("block_id", flat=True))
        load_curriculum()
        quiz.refresh_from_db()
        assert quiz.versions.count() == 1
        assert list(quiz.latest_version.questions.values_list("block_id", flat=True)) == ids

    def test_a_changed_quiz_file_publishes_version_two(self, curriculum_copy):
        load_curriculum(curriculum_copy)
        quiz_file = curriculum_copy / "working-with-peer-mentors" / "quiz.yaml"
        text = quiz_file.read_text()
        quiz_file.write_text(text.replace("question:", "question: (revised)", 1))
        load_curriculum(curriculum_copy)
        quiz = ModulePage.objects.get(slug="working-with-peer-mentors").quiz
        assert [v.number for v in quiz.versions.all()] == [1, 2]

    def test_a_quiz_a_trainer_edited_is_skipped(self):
        load_curriculum()
        quiz = ModulePage.objects.get(slug=MODULE_SLUGS[1]).quiz
        quiz.title = "Our office's quiz"
        quiz.save_revision().publish()
        report = load_curriculum()
        assert any(label.startswith("quiz for") for label in report.skipped)
        quiz.refresh_from_db()
        assert quiz.title == "Our office's quiz"

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                lambda t: t.replace("correct: true", "correct: false", 1),
                "mark exactly one option correct",
            ),
            (lambda t: t.replace("type: scenario", "type: essay", 1), "type must be one of"),
            (lambda t: t.replace("feedback:", "feedbak:", 1), "needs 'feedback'"),
        ],
    )
    def test_a_broken_quiz_file_stops_the_load(self, curriculum_copy, change, message):
        quiz_file = curriculum_copy / "disclosure-conversations" / "quiz.yaml"
        quiz_file.write_text(change(quiz_file.read_text()))
        with pytest.raises(CurriculumError, match=message):
            parse_curriculum(curriculum_copy)

    def test_module_settings_come_from_front_matter(self, curriculum_copy):
        module_file = curriculum_copy / "referral-practice-and-pathways" / "module.md"
        module_file.write_text(
            module_file.read_text().replace(
                "---\n", "---\npass_mark_percent: 80\nfollow_up_days: 70\n", 1
            )
        )
        load_curriculum(curriculum_copy)
        module = ModulePage.objects.get(slug="referral-practice-and-pathways")
        assert (module.pass_mark_percent, module.follow_up_days, module.post_quiz_attempts) == (
            80,
            70,
            3,
        )


FIRST_EDITION = Path(__file__).resolve().parent / "first_edition"


def _install_instruments(curriculum: Path, edition: Path) -> None:
    """Put one edition's quiz.yaml and survey.yaml into each module folder."""
    for slug in MODULE_SLUGS:
        for name in ("quiz.yaml", "survey.yaml"):
            shutil.copy(edition / slug / name, curriculum / slug / name)


@pytest.mark.django_db
class TestSecondEdition:
    """The shipped quizzes and surveys replaced a first edition that may already have
    answers: loading the second edition over it publishes new versions, and answers
    stay with (and are paired within) the version they were given to."""

    @pytest.fixture
    def first_edition_loaded(self, curriculum_copy):
        _install_instruments(curriculum_copy, FIRST_EDITION)
        load_curriculum(curriculum_copy)
        return curriculum_copy

    def _second_edition(self, curriculum):
        _install_instruments(curriculum, CURRICULUM_DIR)
        return load_curriculum(curriculum)

    def test_each_quiz_and_survey_gets_a_second_version(self, first_edition_loaded):
        report = self._second_edition(first_edition_loaded)
        assert len([label for label in report.updated if label.startswith("quiz for")]) == 3
        for slug in MODULE_SLUGS:
            module = ModulePage.objects.get(slug=slug)
            assert [v.number for v in module.quiz.versions.order_by("number")] == [1, 2]
            assert [v.number for v in module.confidence_survey.versions.order_by("number")] == [
                1,
                2,
            ]
        # Loading the same files again publishes nothing new.
        load_curriculum(first_edition_loaded)
        assert all(m.quiz.versions.count() == 2 for m in ModulePage.objects.all())

    def test_kept_keys_keep_their_block_ids_and_changed_items_get_new_ones(
        self, first_edition_loaded
    ):
        from content.curriculum import _block_id

        self._second_edition(first_edition_loaded)
        quiz = ModulePage.objects.get(slug="disclosure-conversations").quiz
        first, second = (
            set(v.questions.values_list("block_id", flat=True))
            for v in quiz.versions.order_by("number")
        )
        kept = _block_id("disclosure-conversations", "quiz", "first-response")
        dropped = _block_id("disclosure-conversations", "quiz", "advice-to-stop")
        added = _block_id("disclosure-conversations", "quiz", "stopping-drinking-suddenly")
        assert kept in first and kept in second
        assert dropped in first and dropped not in second
        assert added in second and added not in first
        survey = ModulePage.objects.get(slug="disclosure-conversations").confidence_survey
        first, second = (
            set(v.items.values_list("block_id", flat=True))
            for v in survey.versions.order_by("number")
        )
        assert _block_id("disclosure-conversations", "survey", "recognise-risk") in first & second
        assert _block_id("disclosure-conversations", "survey", "ask-permission") in second - first

    def test_answers_stay_on_the_first_version_and_pair_within_it(
        self, first_edition_loaded, settings
    ):
        from accounts.roles import Role
        from evaluation.report import ReportRequest, build_report
        from evaluation.serialise import report_figures
        from tests.evaluation import answers
        from tests.factories import OfficeFactory, UserFactory

        settings.EVALUATION_DISCLOSURE_K = 1  # about pairing, not suppression
        office = OfficeFactory()

        module = ModulePage.objects.get(slug="disclosure-conversations")
        first_survey = module.confidence_survey.latest_version
        first_quiz = module.quiz.latest_version
        first_texts = list(first_quiz.questions.order_by("position").values_list("text", flat=True))
        people = [UserFactory(office=office, role=Role.WORK_COACH) for _ in range(12)]
        for user in people:
            answers.enrol(user, module, rating=4)
            answers.survey(user, module, first_survey, "pre", 2)
            answers.survey(user, module, first_survey, "post", 4, then=2)
            answers.quiz(user, module, first_quiz, "pre", False)
            answers.quiz(user, module, first_quiz, "post", True)

        self._second_edition(first_edition_loaded)
        module.refresh_from_db()
        second_survey = module.confidence_survey.latest_version
        second_quiz = module.quiz.latest_version
        assert (second_survey.number, second_quiz.number) == (2, 2)

        # The first version and its answers are untouched.
        first_quiz.refresh_from_db()
        assert (
            list(first_quiz.questions.order_by("position").values_list("text", flat=True))
            == first_texts
        )
        assert {r.version_id for r in first_survey.responses.all()} == {first_survey.pk}
        assert first_survey.responses.count() == 24

        # Someone who started before the change and finished after it is paired in
        # neither version: their answers were given to different questions.
        late = UserFactory(office=office, role=Role.WORK_COACH)
        answers.enrol(late, module, rating=4)
        answers.survey(late, module, first_survey, "pre", 1)
        answers.survey(late, module, second_survey, "post", 5, then=1)

        on_first = report_figures(
            build_report(ReportRequest(module=module, survey_version=first_survey))
        )
        on_second = report_figures(
            build_report(ReportRequest(module=module, survey_version=second_survey))
        )
        assert (on_first["survey_version"], on_second["survey_version"]) == (1, 2)
        assert on_first["attrition"][0]["paired"] == 12
        assert on_first["attrition"][0]["pre_only"] == 1
        assert on_first["items"][0]["mean_change"] == 2.0
        assert on_second["attrition"][0]["paired"] == 0
        assert on_second["attrition"][0]["post_only"] == 1
        assert all(item["n_pairs"] == 0 for item in on_second["items"])
        assert all(
            item["statement"].startswith("I am confident that I can") for item in on_second["items"]
        )
