"""What the browser tests share: the demo accounts, viewport sizes, the starter
curriculum as its files describe it, and signing in through the real form."""

from dataclasses import dataclass
from pathlib import Path

import yaml

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
    """Sign in through the real sign-in form."""
    page.goto(path)
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
