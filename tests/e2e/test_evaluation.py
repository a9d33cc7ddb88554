"""The evaluator's view of a module in a real browser: the charts are drawn from the
figures, every chart has its table, and the page fits a phone."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .support import PHONE, has_horizontal_scroll, sign_in, too_wide

EVALUATOR = "evaluator@example.com"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.mark.e2e
def test_evaluator_sees_charts_and_tables_for_a_module(demo_site, browsing):
    call_command("seed_cohort", coaches=300, seed=5, stdout=io.StringIO())
    page = browsing.new_page()
    sign_in(page, EVALUATOR)
    page.get_by_role("link", name="Evaluation", exact=True).click()
    expect(page.locator("h1")).to_have_text("Evaluation")
    page.get_by_role("link", name="Referral practice and pathways").click()
    expect(page.locator("h1")).to_have_text("Referral practice and pathways")

    # Both charts were drawn by Chart.js from the figures on the page.
    drawn = page.evaluate(
        """() => ['distribution-chart', 'breakdown-chart'].map(id => {
            const chart = Chart.getChart(id)
            return chart ? chart.data.labels.length : 0
        })"""
    )
    items = page.evaluate(
        "JSON.parse(document.getElementById('evaluation-figures').textContent).items"
        ".filter(i => i.group === 'All coaches').length"
    )
    assert drawn[0] == 2 * items  # before and after for every item
    assert drawn[1] >= 1  # at least one region shown
    # The distribution chart's table alternative opens and holds the same items.
    page.get_by_text("Show the chart as a table").click()
    table = page.locator("figure.app-chart table")
    expect(table).to_be_visible()
    expect(table.locator("tbody th")).to_have_count(items)
    page.screenshot(path=RESULTS / "evaluation-desktop.png", full_page=True)

    # A filter with an error gets the GOV.UK error summary.
    page.get_by_text("Filter and break down").click()
    page.locator("#id_role").select_option("Team leader")
    page.locator("#id_by").select_option("office")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a role or a place")

    phone = browsing.new_page(viewport=PHONE)
    sign_in(phone, EVALUATOR)
    phone.goto("/evaluation/modules/referral-practice-and-pathways/")
    phone.wait_for_load_state()
    assert not has_horizontal_scroll(phone), too_wide(phone)
    phone.screenshot(path=RESULTS / "evaluation-phone.png", full_page=True)
