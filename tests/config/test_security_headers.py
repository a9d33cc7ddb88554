"""Security headers on the service's pages and the admin: an enforced
Content-Security-Policy with a nonce and no inline scripts on the service's pages, a
looser one for the Wagtail admin, Permissions-Policy, the existing headers kept, and no
Gravatar."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from content.curriculum import load_curriculum, parse_curriculum
from content.models import LessonPage, ModulePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"', re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
# Scripts a browser does not run, so the policy does not apply to them.
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}


def policy(response, header="Content-Security-Policy") -> dict[str, list[str]]:
    assert header in response, f"no {header} on {response.wsgi_request.path}"
    directives = {}
    for part in response[header].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(response) -> str:
    sources = [s for s in policy(response)["script-src"] if s.startswith("'nonce-")]
    assert len(sources) == 1, policy(response)["script-src"]
    return sources[0].removeprefix("'nonce-").removesuffix("'")


def assert_service_policy(response):
    """Enforced (not report-only), scripts only from this site or with the nonce."""
    assert response.status_code == 200, response.wsgi_request.path
    assert "Content-Security-Policy-Report-Only" not in response
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert set(script_src) == {"'self'", f"'nonce-{nonce_of(response)}'"}
    assert "'unsafe-inline'" not in directives["style-src"]
    assert "*" not in " ".join(v for values in directives.values() for v in values)


def assert_every_script_is_ours(response):
    """Every <script> has its src on this site or carries the response's nonce; no
    inline event handlers or style attributes."""
    html = response.content.decode()
    nonce = nonce_of(response)
    scripts = SCRIPT.findall(html)
    assert scripts, "no script on the page"
    for attributes, body in scripts:
        attrs = dict(ATTRIBUTE.findall(attributes))
        if attrs.get("type") in DATA_TYPES:
            continue
        if "src" in attrs:
            src = attrs["src"]
            # A path on this site, or (Wagtail's user bar) this host without a scheme.
            same_site = f"//{response.wsgi_request.get_host()}/"
            assert src.startswith(same_site) or (
                src.startswith("/") and not src.startswith("//")
            ), src
            assert not body.strip()
        else:
            assert attrs.get("nonce") == nonce, f"inline script without the nonce: {body[:80]}"
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    assert not STYLE_ATTRIBUTE.search(html), STYLE_ATTRIBUTE.search(html).group(0)


@pytest.fixture
def curriculum_loaded(db):
    load_curriculum(modules=parse_curriculum())
    return ModulePage.objects.get(slug="disclosure-conversations")


def test_the_sign_in_page_has_the_service_policy(client):
    response = client.get(reverse("account_login"))
    assert_service_policy(response)
    assert_every_script_is_ours(response)


def test_each_response_has_its_own_nonce(client):
    first = nonce_of(client.get(reverse("account_login")))
    second = nonce_of(client.get(reverse("account_login")))
    assert first != second and len(first) >= 22


def test_coach_pages_have_the_service_policy(client, curriculum_loaded):
    coach = UserFactory(role=Role.WORK_COACH)
    client.force_login(coach)
    slug = curriculum_loaded.slug
    for url in (
        reverse("learning:dashboard"),
        reverse("learning:module", args=[slug]),
        reverse("learning:privacy", args=[slug]),
        reverse("search") + "?query=customer",
        reverse("account_email"),
    ):
        response = client.get(url, follow=True)
        assert_service_policy(response)
        assert_every_script_is_ours(response)


def test_a_lesson_read_with_the_admin_user_bar_has_the_service_policy(client, curriculum_loaded):
    trainer = UserFactory(role=Role.TRAINER)
    client.force_login(trainer)
    lesson = LessonPage.objects.child_of(curriculum_loaded).live().first()
    response = client.get(lesson.url)
    assert "wagtail-userbar" in response.content.decode()
    assert_service_policy(response)
    assert_every_script_is_ours(response)


def test_the_certificate_print_button_has_no_inline_handler():
    html = (ROOT / "templates" / "learning" / "certificate.html").read_text()
    assert "onclick" not in html and "data-app-print" in html
    js = (ROOT / "static" / "js" / "init.js").read_text()
    assert "[data-app-print]" in js and "window.print()" in js


def test_the_evaluation_module_page_with_its_charts_has_the_service_policy(
    client, curriculum_loaded
):
    call_command("seed_cohort", coaches=40, seed=5, stdout=io.StringIO())
    client.force_login(UserFactory(role=Role.EVALUATOR))
    for url in (
        reverse("evaluation:overview"),
        reverse("evaluation:module", args=[curriculum_loaded.slug]),
        reverse("evaluation:exports"),
    ):
        response = client.get(url)
        assert_service_policy(response)
        assert_every_script_is_ours(response)
    html = client.get(reverse("evaluation:module", args=[curriculum_loaded.slug])).content
    assert b"chart.umd.min.js" in html and b"evaluation-charts.js" in html


def test_the_admin_has_its_own_looser_policy(client, curriculum_loaded):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=[curriculum_loaded.pk]),
        reverse("learning_reports:index"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert "Content-Security-Policy-Report-Only" not in response
        # Wagtail's widgets and panels use inline scripts and style attributes.
        assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
        # Still nothing from other sites, and no plugins or framing by others.
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'self'"]
        assert "'unsafe-eval'" not in directives["script-src"]


def test_permissions_policy_denies_powerful_features(client):
    response = client.get(reverse("account_login"))
    header = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
        assert f"{feature}=()" in header


def test_the_existing_headers_are_kept(client):
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"  # the test settings' default
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_gravatar_is_off_in_the_admin(client, settings):
    from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    admin = UserFactory(role=Role.ADMINISTRATOR, email="someone@example.com")
    assert "gravatar" not in avatar_url(admin)
    client.force_login(admin)
    for url in (reverse("wagtailadmin_home"), reverse("wagtailusers_users:index")):
        html = client.get(url).content.decode()
        assert "gravatar" not in html.lower()
        assert "default-user-avatar" in html


def test_the_policy_is_enforced_not_report_only(settings):
    from config.settings import base

    assert not getattr(base, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    assert not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)


def test_the_server_error_page_needs_no_inline_style(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert not STYLE_ATTRIBUTE.search(html) and "<style" not in html
    assert "/static/css/coach-academy.css" in html
