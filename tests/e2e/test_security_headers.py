"""The Content-Security-Policy in a real browser: the service's pages, the evaluator's
charts and the admin run with no violation, and an inline script the page did not
vouch for is blocked. Every browser test fails on a violation (``browsing``)."""

import re

import pytest
from playwright.sync_api import expect

from .support import COACH, TRAINER, do_baseline, module_files, sign_in, sign_out, walk_in_db

EVALUATOR = "evaluator@example.com"
SLUG = "disclosure-conversations"
OTHER = "working-with-peer-mentors"


def header(response, name):
    return response.all_headers().get(name.lower(), "")


@pytest.mark.e2e
def test_an_inline_script_without_the_nonce_is_blocked_and_reported(demo_site, browsing):
    page = browsing.new_page()
    response = page.goto("/accounts/login/")
    policy = header(response, "Content-Security-Policy")
    assert "'unsafe-inline'" not in policy and "'nonce-" in policy
    # The page's own inline script (with the nonce) ran: GOV.UK Frontend is on.
    expect(page.locator("body")).to_have_class(re.compile(r"govuk-frontend-supported"))
    # One written in by someone else does not run, and the browser reports it.
    ran = page.evaluate(
        """() => new Promise(done => {
            window.injected = false;
            document.addEventListener("securitypolicyviolation", () => done(window.injected));
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        })"""
    )
    assert ran is False
    # The watcher every browser test relies on saw it (then forget it, as it was ours).
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in browsing.log.csp_violations)
    browsing.log.csp_violations.clear()


@pytest.mark.e2e
def test_coach_pages_run_without_a_violation(demo_site, browsing):
    walk_in_db(COACH, OTHER, "completed")
    page = browsing.new_page()
    sign_in(page, COACH)
    page.get_by_role("link", name="My learning").first.click()
    expect(page.locator("h1")).to_have_text("My learning")

    # A lesson, reached through the module's first steps.
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Disclosure conversations", exact=True)
    )
    card.locator("a.govuk-button").click()
    do_baseline(page, SLUG)
    page.get_by_role("link", name=re.compile(r"^1\. ")).click()
    expect(page.locator("h1")).to_be_visible()
    assert "/modules/" in page.url

    # The certificate's Print button works without an inline handler.
    page.get_by_role("link", name="My learning").first.click()
    done = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=module_files(OTHER).title, exact=True)
    )
    done.get_by_role("link", name=re.compile("^View certificate")).click()
    page.evaluate("() => { window.print = () => { window.printed = true } }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed === true")
    sign_out(page)


@pytest.mark.e2e
def test_the_evaluators_charts_draw_under_the_policy(demo_site, browsing):
    import io

    from django.core.management import call_command

    call_command("seed_cohort", coaches=120, seed=5, stdout=io.StringIO())
    page = browsing.new_page()
    sign_in(page, EVALUATOR)
    page.get_by_role("link", name="Evaluation", exact=True).click()
    page.get_by_role("link", name="Referral practice and pathways").click()
    expect(page.locator("h1")).to_have_text("Referral practice and pathways")
    drawn = page.evaluate(
        """() => ['distribution-chart', 'breakdown-chart'].map(id => {
            const chart = Chart.getChart(id)
            if (!chart) return 0
            const canvas = chart.canvas
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data
            let painted = 0
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++
            return painted
        })"""
    )
    assert all(count > 1000 for count in drawn), drawn


@pytest.mark.e2e
def test_the_admin_works_under_its_own_policy(demo_site, browsing):
    from content.models import LessonPage

    lesson = LessonPage.objects.live().filter(slug__startswith="opening").first()
    page = browsing.new_page()
    sign_in(page, TRAINER, path=f"/accounts/login/?next={lesson.url}")
    expect(page.locator("h1")).to_have_text(lesson.title)
    # The lesson, with Wagtail's user bar, under the service's policy.
    assert "'unsafe-inline'" not in header(page.reload(), "Content-Security-Policy")
    page.get_by_role("button", name="View Wagtail quick actions").click()
    with page.expect_response(re.compile(r"/admin/pages/\d+/edit/$")) as edit:
        page.get_by_role("menuitem", name="Edit this page").click()
    assert "'unsafe-inline'" in header(edit.value, "Content-Security-Policy")
    expect(page.locator("h1")).to_contain_text(lesson.title)
    # Wagtail's editing scripts ran: the StreamField and the rich text editors are live.
    expect(page.locator("[data-streamfield-stream-container]").first).to_be_visible()
    expect(page.locator(".Draftail-Editor").first).to_be_visible()
    page.wait_for_timeout(500)  # long enough for a late script to be refused, if any
    page.go_back()
