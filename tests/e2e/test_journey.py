"""A work coach's journey through one module, in a real browser.

The demo coach walks "Working with peer mentors" from start to finish: the privacy
notice, the survey and quiz before the module, the lessons (signing out halfway and
resuming at the right step), the quiz after the module (failed once, then passed),
the survey after it, completion, the certificate and its PDF, and the public check
of the certificate's code.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .support import (
    COACH,
    accept_privacy,
    answer_quiz,
    answer_survey,
    learn_path,
    module_files,
    quiz_picks,
    sign_in,
    sign_out,
    start_module,
    wait_for_path,
)

SLUG = "working-with-peer-mentors"
COACH_NAME = "Casey Coach"


def heading(page):
    return page.locator("h1")


def read_lesson(page, module, number: int) -> None:
    """Check the browser shows lesson ``number`` (from 1) of ``module``."""
    expect(page).to_have_url(
        re.compile(rf"/modules/{module.slug}/{module.lesson_slugs[number - 1]}/$")
    )
    expect(heading(page), f"lesson {number}").to_have_text(module.lesson_titles[number - 1])


@pytest.mark.e2e
def test_coach_walks_a_module_to_the_end_signing_out_halfway(demo_site, browsing):
    from learning.models import Enrolment, Step

    module = module_files(SLUG)
    lessons = len(module.lesson_titles)
    assert lessons > 3, "the walk reads two lessons, signs out, then reads the rest"
    post_quiz = learn_path(SLUG, "quiz/post")
    post_survey = learn_path(SLUG, "survey/post")
    page = browsing.new_page()

    # Nothing started: signing in lands on My learning.
    sign_in(page, COACH)
    expect(page).to_have_url(re.compile(r"/learn/$"))
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=module.title, exact=True)
    )
    expect(card.locator(".govuk-tag")).to_have_text("Not started")
    card.locator("a.govuk-button").click()
    expect(heading(page)).to_have_text(module.title)
    start_module(page, SLUG)

    # A lesson is out of reach until the baseline is done: it sends the coach to the
    # step they are at.
    page.goto(f"/modules/{SLUG}/{module.lesson_slugs[0]}/")
    wait_for_path(page, learn_path(SLUG, "privacy"))

    accept_privacy(page, SLUG)
    answer_survey(page, learn_path(SLUG, "survey/pre"))
    questions = answer_quiz(page, learn_path(SLUG, "quiz/pre"))
    # Before the module the coach sees a score, not the answers.
    expect(page.locator(".govuk-panel__title")).to_have_text("Answers saved")
    expect(page.get_by_text("This was a starting point")).to_be_visible()
    expect(page.get_by_text("Your answers")).to_have_count(0)
    page.get_by_role("link", name="Continue", exact=True).click()

    # Two lessons, then sign out.
    wait_for_path(page, learn_path(SLUG, "lessons"))
    expect(page.get_by_text("Not read yet")).to_have_count(lessons)
    page.get_by_role("link", name="Start the first lesson").click()
    read_lesson(page, module, 1)
    page.locator("a[rel=next]").click()
    read_lesson(page, module, 2)
    sign_out(page)
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)

    # Signing in again resumes at the lessons, with the two read ones ticked off.
    sign_in(page, COACH)
    wait_for_path(page, learn_path(SLUG, "lessons"))
    expect(heading(page)).to_have_text("Lessons")
    expect(page.locator(".govuk-task-list__status")).to_have_text(
        [re.compile(r"Read\s*$")] * 2 + ["Not read yet"] * (lessons - 2)
    )
    expect(page.get_by_role("button", name="Continue to the quiz")).to_have_count(0)
    page.get_by_role("link", name="Continue reading").click()
    for number in range(3, lessons + 1):
        read_lesson(page, module, number)
        if number < lessons:
            page.locator("a[rel=next]").click()
    expect(page.locator("a[rel=next]")).to_have_count(0)

    page.goto(learn_path(SLUG, "lessons"))
    expect(page.get_by_text("Not read yet")).to_have_count(0)
    page.get_by_role("button", name="Continue to the quiz").click()

    # The quiz after the module, failed on purpose: feedback, and another go.
    wrong = quiz_picks(SLUG, correct=False)
    assert answer_quiz(page, post_quiz, wrong) == questions
    expect(page.locator(".govuk-panel__body")).to_have_text(
        f"You answered 0 of {questions} questions correctly"
    )
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Question \d+: not quite$"))
    ).to_have_count(questions)
    expect(page.get_by_text("The answer:")).to_have_count(questions)
    expect(
        page.get_by_text("The pass mark is 70%. You can try again: you have 2 attempts left.")
    ).to_be_visible()
    page.get_by_role("link", name="Try the quiz again").click()

    wait_for_path(page, post_quiz)
    expect(page.locator(".govuk-inset-text")).to_have_text("Attempt 2 of 3.")
    assert answer_quiz(page, post_quiz, quiz_picks(SLUG, correct=True)) == questions
    expect(page.locator(".govuk-panel__body")).to_have_text(
        f"You answered {questions} of {questions} questions correctly"
    )
    expect(page.get_by_role("heading", name=re.compile(r"^Question \d+: correct$"))).to_have_count(
        questions
    )
    expect(page.get_by_text("You reached the pass mark of 70%.")).to_be_visible()
    expect(page.get_by_role("link", name="Try the quiz again")).to_have_count(0)
    page.get_by_role("link", name="Continue", exact=True).click()

    # The survey after the module: now, thinking back, and how useful it was.
    wait_for_path(page, post_survey)
    expect(page.get_by_role("heading", name="Thinking back")).to_be_visible()
    answer_survey(page, post_survey, now=4, then=2, reaction=5)

    wait_for_path(page, learn_path(SLUG, "completed"))
    expect(page.locator(".govuk-panel__title")).to_have_text("Module completed")
    expect(page.locator(".govuk-panel__body")).to_contain_text(module.title)
    page.get_by_role("link", name="View and print your certificate").click()

    # The certificate: the coach's name, the module, a code to check it by.
    wait_for_path(page, learn_path(SLUG, "certificate"))
    certificate = page.locator(".app-certificate")
    expect(certificate.locator("h1")).to_have_text(COACH_NAME)
    expect(certificate).to_contain_text(module.title)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    code = certificate.locator("strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{12}", code), code
    expect(certificate).to_contain_text(f"/verify/{code}/")

    enrolment = Enrolment.objects.get(user__email=COACH, module__slug=SLUG)
    assert enrolment.step == Step.COMPLETED
    assert enrolment.passed is True
    assert enrolment.reaction_rating == 5
    assert enrolment.certificate_code == code

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{SLUG}-{code}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # My learning shows the module completed.
    page.goto("/learn/")
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=module.title, exact=True)
    )
    expect(card.locator(".govuk-tag")).to_have_text("Completed")
    expect(card.get_by_role("link", name=re.compile(r"^View certificate"))).to_be_visible()

    # Anyone can check the code, signed out, and sees no name.
    public = browsing.new_page()
    public.goto(f"/verify/{code}/")
    expect(public.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    panel = public.locator(".govuk-panel")
    expect(panel.locator(".govuk-panel__title")).to_have_text("Valid certificate")
    expect(panel).to_contain_text(module.title)
    main = public.locator("main")
    expect(main).not_to_contain_text(COACH_NAME)
    expect(main).not_to_contain_text("Casey")
    expect(main).not_to_contain_text(COACH)
