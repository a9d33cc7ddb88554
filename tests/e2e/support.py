"""What the browser tests share: the demo accounts, viewport sizes, the starter
curriculum as its files describe it, signing in and out through the real forms, and
walking a module's journey, in the browser or (for speed) with the services the
pages call."""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from playwright.sync_api import expect

DEMO_PASSWORD = "coach-academy-demo"  # noqa: S105 - the demo accounts' password
COACH = "coach@example.com"
TRAINER = "trainer@example.com"

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}

CURRICULUM_DIR = Path(__file__).resolve().parents[2] / "content" / "curriculum"
MODULE_SLUGS = [
    "disclosure-conversations",
    "referral-practice-and-pathways",
    "working-with-peer-mentors",
]


@dataclass(frozen=True)
class ModuleFiles:
    slug: str
    title: str
    lesson_titles: list[str]
    lesson_slugs: list[str]


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path} has no front matter"
    _, header, _ = text.split("---\n", 2)
    return yaml.safe_load(header)


def module_files(slug: str) -> ModuleFiles:
    """A module's title and its lessons' titles and slugs, read straight from
    content/curriculum/<slug>/: lessons are the NN-*.md files, in filename order."""
    folder = CURRICULUM_DIR / slug
    lessons = [front_matter(path) for path in sorted(folder.glob("[0-9][0-9]-*.md"))]
    return ModuleFiles(
        slug=slug,
        title=front_matter(folder / "module.md")["title"],
        lesson_titles=[lesson["title"] for lesson in lessons],
        lesson_slugs=[lesson["slug"] for lesson in lessons],
    )


def sign_in(page, email: str, password: str = DEMO_PASSWORD, path: str = "/accounts/login/"):
    """Sign in through the real sign-in form and, when the account has an authenticator
    app (the demo trainer, evaluator and administrator), the two-factor step after it,
    with the code the demo key gives now."""
    from accounts.demo import demo_totp_code

    page.goto(path)
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.locator("#id_code").fill(demo_totp_code())
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def too_wide(page) -> list[str]:
    """What makes a page scroll sideways: the innermost elements that reach past
    the right edge of the window, or whose content (a long word, say) spills out."""
    return page.evaluate(
        """() => {
            const edge = window.innerWidth + 1;
            const past = el => el.getBoundingClientRect().right > edge;
            const spills = el => el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflowX === "visible"
                && el.getBoundingClientRect().left + el.scrollWidth > edge;
            const wide = [...document.querySelectorAll("body *")]
                .filter(el => past(el) || spills(el));
            return wide
                .filter(el => !wide.some(other => other !== el && el.contains(other)))
                .map(el => `<${el.tagName.toLowerCase()} class="${el.className}">`
                    + ` ${Math.round(el.getBoundingClientRect().left + el.scrollWidth)}px:`
                    + ` ${el.textContent.trim().slice(0, 80)}`);
        }"""
    )


def sign_out(page):
    """Sign out the way a person does: the "Sign out" link, then the confirmation."""
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


# The journey, in the browser ------------------------------------------------------
#
# Each helper works on the page the coach is on and leaves the browser on the next
# one. A helper that reads the page first waits for its address, so that it never
# reads the page it has just left.


def learn_path(slug: str, step: str = "") -> str:
    return f"/learn/{slug}/{step + '/' if step else ''}"


def wait_for_path(page, path: str) -> None:
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}(\?.*)?$"))


def input_groups(page, prefix: str) -> list[str]:
    """The names of the radio or checkbox groups whose name starts with ``prefix``,
    in page order, once the page has been read to its end."""
    page.wait_for_load_state("domcontentloaded")
    return page.evaluate(
        """prefix => [...new Set(
            [...document.querySelectorAll('form input[name^="' + prefix + '"]')]
                .map(input => input.name))]""",
        prefix,
    )


def tick(page, name: str, value) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def start_module(page, slug: str) -> None:
    """From the module's start page, "Start this module": on to the privacy notice."""
    wait_for_path(page, learn_path(slug))
    page.get_by_role("button", name="Start this module").click()
    wait_for_path(page, learn_path(slug, "privacy"))


def accept_privacy(page, slug: str, take_part: str = "yes") -> None:
    wait_for_path(page, learn_path(slug, "privacy"))
    tick(page, "take_part", take_part)
    page.get_by_role("button", name="Continue", exact=True).click()


def answer_survey(page, path: str, now=3, then=None, reaction=None) -> int:
    """Answer every statement on the survey at ``path`` (and, after the module, the
    "Thinking back" ones and how useful it was) and submit. Returns how many
    statements there were."""
    wait_for_path(page, path)
    submit = page.get_by_role("button", name="Submit answers")
    expect(submit).to_be_visible()
    items = input_groups(page, "item-")
    assert items, f"{path} has no statements"
    for name in items:
        tick(page, name, now)
    if then is not None:
        thens = input_groups(page, "then-")
        assert [name.removeprefix("then-") for name in thens] == [
            name.removeprefix("item-") for name in items
        ], "the 'Thinking back' statements are not the 'Now' ones"
        for name in thens:
            tick(page, name, then)
    if reaction is not None:
        tick(page, "reaction", reaction)
    submit.click()
    return len(items)


def answer_quiz(page, path: str, picks: dict[str, list[int]] | None = None) -> int:
    """Answer the quiz at ``path`` and submit: the choices in ``picks`` (field name →
    choice ids), or else the first option of each question. Returns how many
    questions there were."""
    wait_for_path(page, path)
    submit = page.get_by_role("button", name="Submit answers")
    expect(submit).to_be_visible()
    questions = input_groups(page, "question-")
    assert questions, f"{path} has no questions"
    if picks is not None:
        assert sorted(questions) == sorted(picks), "the page's questions are not the quiz's"
    for name in questions:
        if picks is None:
            page.locator(f'input[name="{name}"]').first.check()
        else:
            for choice_id in picks[name]:
                tick(page, name, choice_id)
    submit.click()
    return len(questions)


def do_baseline(page, slug: str) -> None:
    """From the module's start page to its lessons page: start, privacy, the
    survey and quiz before the module (middle of the scale, first options)."""
    start_module(page, slug)
    accept_privacy(page, slug)
    answer_survey(page, learn_path(slug, "survey/pre"))
    answer_quiz(page, learn_path(slug, "quiz/pre"))
    page.get_by_role("link", name="Continue", exact=True).click()
    wait_for_path(page, learn_path(slug, "lessons"))


# The journey, in the database ------------------------------------------------------


def quiz_picks(slug: str, *, correct: bool) -> dict[str, list[int]]:
    """For each question of the module's latest quiz version (field name → choice
    ids): every correct choice, or else one wrong choice."""
    from content.models import ModulePage

    version = ModulePage.objects.get(slug=slug).quiz.latest_version
    picks = {}
    for question in version.questions.prefetch_related("choices"):
        choices = [c.pk for c in question.choices.all() if c.is_correct == correct]
        assert choices, (
            f"question {question.position} has no {'right' if correct else 'wrong'} answer"
        )
        picks[f"question-{question.pk}"] = choices if correct else choices[:1]
    return picks


def walk_in_db(email: str, slug: str, until: str):
    """Move a coach through a module with the services the pages call, until the
    enrolment is at step ``until`` (a ``learning.models.Step``); returns it. Faster
    than the browser, for tests about what comes after."""
    from django.contrib.auth import get_user_model

    from assessments import services as assessments
    from content.models import ModulePage
    from learning import services
    from learning.models import Step

    user = get_user_model().objects.get(email=email)
    module = ModulePage.objects.live().get(slug=slug)
    quiz = assessments.load_quiz_version(module.quiz.latest_version.pk)
    survey = assessments.load_survey_version(module.confidence_survey.latest_version.pk)
    values = {item.pk: 3 for item in survey.items.all()}
    right = {
        question.pk: [c.pk for c in question.choices.all() if c.is_correct]
        for question in quiz.questions.all()
    }

    def take_quiz(enrolment, timepoint):
        token = assessments.issue_token(user, quiz)
        services.answer_quiz(
            enrolment, timepoint=timepoint, version=quiz, answers=right, token=token
        )

    def read_lessons(enrolment):
        for lesson in module.lessons():
            services.record_lesson_view(enrolment, lesson)
        services.finish_lessons(enrolment)

    actions = {
        Step.PRIVACY: lambda e: services.acknowledge_privacy(e, opted_out=False),
        Step.PRE_SURVEY: lambda e: services.answer_survey(
            e,
            timepoint="pre",
            version=survey,
            values=values,
            token=assessments.issue_token(user, survey),
        ),
        Step.PRE_QUIZ: lambda e: take_quiz(e, "pre"),
        Step.LESSONS: read_lessons,
        Step.POST_QUIZ: lambda e: take_quiz(e, "post"),
        Step.POST_SURVEY: lambda e: services.answer_survey(
            e,
            timepoint="post",
            version=survey,
            values=values,
            then_values=dict.fromkeys(values, 2),
            reaction=4,
            token=assessments.issue_token(user, survey),
        ),
    }
    enrolment = services.enrol(user, module)
    while enrolment.step != until:
        action = actions.get(Step(enrolment.step))
        assert action, f"cannot walk {slug} from {enrolment.step} to {until}"
        action(enrolment)
        enrolment.refresh_from_db()
    return enrolment
