"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server.

Playwright's sync API keeps an asyncio event loop running in the test thread for
as long as the browser is open. Two things follow for Django:

* Django refuses ORM calls from a thread with a running loop unless told it is
  safe. It is: the tests only use the ORM between browser steps, never
  concurrently with them, so ``browser`` sets DJANGO_ALLOW_ASYNC_UNSAFE while
  Chromium is open (and only then, so other tests keep Django's check).
* Django keeps database connections per thread, but per asyncio context when a
  loop is running, so after the browser starts the test thread would open fresh
  connections: without the serialized copy of the migrated data that serialized
  rollback restores, and (with in-memory SQLite) not the connection the live
  server shares. The ``browser`` fixture hands the thread's own connections to
  that context, so the test code, pytest-django and the live server all use the
  same ones.
"""

import io
from dataclasses import dataclass, field

import pytest

from tests.services import chromium_path, require

from .support import DESKTOP

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach the internet, which is closed here.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's default is 30 s; a local page that takes 10 s is already broken.
TIMEOUT_MS = 10_000

# Runs first in every page and frame: reports each Content-Security-Policy violation
# the browser raises to the test (``Browsing`` fails the test if there is one).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on `
    + `${event.documentURI} (${event.sourceFile || "?"}:${event.lineNumber}) `
    + `${event.sample || ""}`
  );
});
"""


@pytest.fixture(scope="session")
def chromium_executable():
    executable = chromium_path()
    require(executable is not None, "Chromium is not installed at /usr/bin/chromium")
    return executable


@pytest.fixture(scope="package")
def browser(chromium_executable, django_db_setup):
    """One Chromium for all the browser tests.

    Package-scoped rather than session-scoped: while Playwright is running, its
    event loop is running in the main thread, which would change how Django behaves
    in every test run after these in the same session (see the module docstring).
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Taken before Playwright starts its loop: the thread's own connections.
    thread_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class ResponseLog:
    """Every response the browser saw that went wrong."""

    server_errors: list[str] = field(default_factory=list)
    missing_static: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def record(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")
        elif response.status >= 400 and "/static/" in response.url:
            self.missing_static.append(f"{response.status} {response.url}")

    def violation(self, source, text: str) -> None:
        self.csp_violations.append(text)

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"console: {message.text}")


@dataclass
class Browsing:
    """Opens browser contexts for one test, watching every response and every
    Content-Security-Policy violation, and checks at the end that there was no server
    error, no missing stylesheet, script or font, and no violation."""

    browser: object
    base_url: str
    log: ResponseLog = field(default_factory=ResponseLog)
    contexts: list = field(default_factory=list)

    def new_page(self, viewport=DESKTOP):
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("response", self.log.record)
        context.on("console", self.log.console)
        context.expose_binding("__cspViolation", self.log.violation)
        context.add_init_script(CSP_WATCH)
        self.contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    session = Browsing(browser=browser, base_url=live_server.url)
    yield session
    session.close()
    assert not session.log.server_errors, "Server errors: " + "; ".join(session.log.server_errors)
    assert not session.log.missing_static, "Missing static files: " + "; ".join(
        session.log.missing_static
    )
    assert not session.log.csp_violations, "Content-Security-Policy violations: " + "; ".join(
        session.log.csp_violations
    )


@pytest.fixture
def page(browsing):
    """A fresh desktop-sized page in its own browser context (own cookies)."""
    return browsing.new_page()


@pytest.fixture
def demo_site(live_server, django_db_serialized_rollback):
    """The demo (offices, starter curriculum, demo accounts) in the live server's
    database.

    Live-server tests are transactional, and after each one the database is
    flushed, taking with it the rows migrations created (the Wagtail root page and
    default site, the role groups, the offices). Serialized rollback puts them back
    before each test, as it would be after ``migrate``.
    """
    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()
