"""Images in lessons: the image block, images in rich text and in Markdown.

Every image comes from the Wagtail image library and reaches the page as one <img>
with alt text (empty only when marked decorative), a srcset and its size.
"""

import re
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail import blocks as wagtail_blocks
from wagtail.images import get_image_model
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import nested_form_data, streamfield

from content.blocks import RICH_TEXT_FEATURES, ImageBlock, LessonStreamBlock, MarkdownBlock
from content.curriculum import CurriculumError, ensure_site_tree, parse_lesson_body
from content.markdown import markdown_problems, render_markdown
from content.models import LessonPage
from tests.factories import ModulePageFactory
from tests.wagtail_testcase import AdminPageTestCase

pytestmark = pytest.mark.django_db


def make_image(title="A coach at a desk", size=(1600, 900)):
    buffer = BytesIO()
    PILImage.new("RGB", size, "steelblue").save(buffer, "PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="coach.png"))


@pytest.fixture
def image():
    return make_image()


def img_tags(html):
    return re.findall(r"<img\b[^>]*>", str(html))


def attribute(tag, name):
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def assert_responsive(tag, alt):
    """alt as given, a srcset of renditions, sizes, and width and height."""
    assert attribute(tag, "alt") == alt
    srcset = attribute(tag, "srcset")
    assert srcset and re.findall(r" (\d+)w", srcset) == ["640", "320", "960", "1280"]
    assert attribute(tag, "sizes") == "(min-width: 40.0625em) 640px, 100vw"
    assert (attribute(tag, "width"), attribute(tag, "height")) == ("640", "360")
    assert attribute(tag, "src").startswith("/media/") or "/media/" in attribute(tag, "src")


# The image block -------------------------------------------------------------------


def block_value(image, **values):
    block = ImageBlock()
    return block, block.to_python(
        {"image": image.pk, "alt_text": "", "decorative": False, "caption": "", **values}
    )


def test_the_image_block_is_offered_in_lessons():
    assert isinstance(LessonStreamBlock().child_blocks["image"], ImageBlock)
    assert not any(
        isinstance(b, wagtail_blocks.RawHTMLBlock)
        for b in LessonStreamBlock().child_blocks.values()
    )


def test_image_block_renders_an_img_with_alt_srcset_and_caption(image):
    block, value = block_value(image, alt_text="Two people talking", caption="At the Jobcentre")
    html = block.render(block.clean(value))
    [tag] = img_tags(html)
    assert_responsive(tag, "Two people talking")
    assert 'class="app-image__img"' in tag
    assert (
        '<figcaption class="app-image__caption govuk-body-s">At the Jobcentre</figcaption>' in html
    )


def test_a_decorative_image_has_empty_alt_whatever_was_typed(image):
    block, value = block_value(image, alt_text="Leftover words", decorative=True)
    html = block.render(block.clean(value))
    [tag] = img_tags(html)
    assert_responsive(tag, "")
    assert "Leftover words" not in html


@pytest.mark.parametrize("alt", ["", "   "])
def test_alt_text_is_required_unless_the_image_is_decorative(image, alt):
    block, value = block_value(image, alt_text=alt)
    with pytest.raises(wagtail_blocks.StructBlockValidationError) as raised:
        block.clean(value)
    [error] = raised.value.block_errors["alt_text"].messages
    assert error == (
        "Enter alt text that says what the image shows, or tick 'The image is decorative'"
    )
    block.clean(block_value(image, alt_text=alt, decorative=True)[1])  # no error


def test_alt_text_is_escaped(image):
    block, value = block_value(image, alt_text='A "quote" & <b>bold</b>')
    [tag] = img_tags(block.render(block.clean(value)))
    assert 'alt="A &quot;quote&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"' in tag


def test_image_block_preview_shows_a_library_image(image):
    block = ImageBlock()
    assert block.is_previewable
    assert block.meta.icon == "image" and block.get_description()
    [tag] = img_tags(block.render(block.get_preview_value()))
    assert_responsive(tag, "A work coach and a customer talking at a desk")


def test_image_block_preview_with_an_empty_library_still_renders():
    html = ImageBlock().render(ImageBlock().get_preview_value())
    assert "A work coach and a customer talking at a desk" in html
    assert not img_tags(html)


class ImageInAdminTests(AdminPageTestCase):
    """The lesson editor refuses an image block without alt text and saves one with."""

    @classmethod
    def setUpTestData(cls):
        cls.module = ModulePageFactory(parent=ensure_site_tree(), slug="images")
        cls.image = make_image()

    def setUp(self):
        self.login()

    def post_lesson(self, body):
        url = f"/admin/pages/add/content/lessonpage/{self.module.pk}/"
        data = nested_form_data(
            {
                "title": "Pictures",
                "slug": "pictures",
                "summary": "A lesson with a picture.",
                "estimated_minutes": 5,
                "body": streamfield(body),
            }
        )
        return self.client.post(url, data)

    def image_block(self, **values):
        return (
            "image",
            {"image": self.image.pk, "alt_text": "", "decorative": "", "caption": "", **values},
        )

    def test_the_editor_offers_the_image_block_and_images_in_text(self):
        response = self.client.get(f"/admin/pages/add/content/lessonpage/{self.module.pk}/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("The image is decorative", html)
        # The rich text toolbar's image button (Draftail's IMAGE entity).
        widget = LessonStreamBlock().child_blocks["rich_text"].field.widget
        self.assertIn("IMAGE", [entity["type"] for entity in widget.options["entityTypes"]])

    def test_missing_alt_text_is_refused_with_a_message(self):
        response = self.post_lesson([self.image_block()])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter alt text that says what the image shows")
        self.assertFalse(LessonPage.objects.filter(slug="pictures").exists())

    def test_an_image_with_alt_text_is_saved_and_shown(self):
        response = self.post_lesson([self.image_block(alt_text="A coach listening")])
        self.assertEqual(response.status_code, 302)
        lesson = LessonPage.objects.get(slug="pictures")
        self.assertEqual(lesson.body[0].block_type, "image")
        self.assertEqual(lesson.body[0].value.alt, "A coach listening")

    def test_external_markdown_image_is_refused_with_a_message(self):
        response = self.post_lesson(
            [("markdown", "Look:\n\n![A chart](https://example.com/c.png)")]
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Line 3: images from other websites are not allowed")
        self.assertFalse(LessonPage.objects.filter(slug="pictures").exists())

    def test_unknown_markdown_image_is_refused_with_a_message(self):
        response = self.post_lesson([("markdown", "![A chart](image:999999)")])
        self.assertContains(response, "Line 1: there is no image 999999 in the image library")
        self.assertFalse(LessonPage.objects.filter(slug="pictures").exists())

    def test_library_markdown_image_is_saved(self):
        response = self.post_lesson([("markdown", f"![A chart](image:{self.image.pk})")])
        self.assertEqual(response.status_code, 302)


# Rich text -------------------------------------------------------------------------


def test_lesson_rich_text_offers_images():
    assert "image" in RICH_TEXT_FEATURES
    assert "image" in LessonStreamBlock().child_blocks["rich_text"].features


def test_rich_text_image_renders_with_alt_and_fits_a_phone(image):
    html = (
        LessonStreamBlock()
        .child_blocks["rich_text"]
        .render(
            RichText(
                f'<p>Before</p><embed embedtype="image" id="{image.pk}" format="fullwidth" '
                'alt="A coach at a desk"/><p>After</p>'
            )
        )
    )
    [tag] = img_tags(html)
    assert_responsive(tag, "A coach at a desk")
    # 100vw on a phone, and .app-lesson-body img { max-width: 100%; height: auto }.
    assert 'class="app-image__img"' in tag


def test_rich_text_image_without_alt_still_has_an_alt_attribute(image):
    html = str(
        LessonStreamBlock()
        .child_blocks["rich_text"]
        .render(RichText(f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt=""/>'))
    )
    [tag] = img_tags(html)
    assert attribute(tag, "alt") == ""


def test_images_cannot_float_beside_the_text():
    from wagtail.images.formats import get_image_formats

    assert [f.name for f in get_image_formats()] == ["fullwidth"]


def test_the_lesson_page_scales_images_to_the_screen():
    from pathlib import Path

    scss = (Path(__file__).resolve().parents[2] / "static/src/_service.scss").read_text()
    rule = scss[scss.index(".app-lesson-body {") :]
    assert "max-width: 100%;" in rule[: rule.index("}")]


# Markdown --------------------------------------------------------------------------


def test_markdown_image_from_the_library_renders(image):
    html = render_markdown(f"Here:\n\n![A coach at a desk](image:{image.pk})\n\nAfter.")
    [tag] = img_tags(html)
    assert_responsive(tag, "A coach at a desk")
    assert "After." in html


def test_markdown_decorative_image_has_empty_alt(image):
    [tag] = img_tags(render_markdown(f'![](image:{image.pk} "decorative")'))
    assert_responsive(tag, "")
    assert markdown_problems(f'![](image:{image.pk} "decorative")') == []


def test_markdown_image_marker_cannot_be_typed(image):
    """What the renderer puts in place of an image before cleaning is not guessable."""
    html = str(render_markdown(f"![A](image:{image.pk}) caimage0x"))
    assert "caimage0x" in html
    assert len(img_tags(html)) == 1


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Intro\n\n![Chart](https://example.com/c.png)", 3, "images from other websites"),
        ("![Chart](//cdn.example.com/c.png)", 1, "images from other websites"),
        ("![Chart](chart.png)", 1, "'chart.png' is not an image in the image library"),
        ("![Chart](image:999999)", 1, "there is no image 999999 in the image library"),
        ("a\nb\n![](image:{pk})", 3, "image {pk} needs alt text"),
        ('<img src="https://example.com/x.png" alt="x">', 1, "HTML is not allowed"),
        ("![Chart][c]\n\n[c]: https://example.com/c.png", 3, "images from other websites"),
    ],
)
def test_markdown_images_that_cannot_be_shown_are_refused(image, text, line, message):
    text = text.format(pk=image.pk)
    message = message.format(pk=image.pk)
    problems = markdown_problems(text)
    assert problems and problems[0][0] == line and message in problems[0][1]
    with pytest.raises(ValidationError) as raised:
        MarkdownBlock().clean(text)
    assert raised.value.messages[0].startswith(f"Line {line}: {message}")


def test_a_refused_image_saved_before_shows_its_description_not_nothing(image):
    html = str(render_markdown("![A bar chart of referrals](https://example.com/c.png)"))
    assert not img_tags(html)
    assert "example.com" not in html
    assert "[A bar chart of referrals]" in html


def test_markdown_tables_have_govuk_classes():
    html = str(render_markdown("| Step | Who |\n|---|---|\n| Refer | Coach |"))
    assert '<table class="govuk-table">' in html
    assert '<thead class="govuk-table__head">' in html
    assert '<tbody class="govuk-table__body">' in html
    assert html.count('<tr class="govuk-table__row">') == 2
    assert '<th class="govuk-table__header">Step</th>' in html
    assert '<td class="govuk-table__cell">Refer</td>' in html


# The curriculum loader -------------------------------------------------------------


def test_loader_keeps_a_library_image(image):
    body = parse_lesson_body(f"Intro.\n\n![A coach at a desk](image:{image.pk})\n", "l.md")
    assert body == [
        {"type": "markdown", "value": f"Intro.\n\n![A coach at a desk](image:{image.pk})"}
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Intro.\n\n![Chart](https://example.com/c.png)\n",
            r"l\.md:12: images from other websites",
        ),
        ("Intro.\n\n![Chart](image:999999)\n", r"l\.md:12: there is no image 999999"),
        (
            '::: callout kind="information"\nx\n:::\n\nOK.\n\n![Chart](image:999999)',
            r"l\.md:16: there is no image 999999",
        ),
        (
            '::: callout kind="information"\n![Chart](image:{pk})\n:::',
            r"l\.md:10: images cannot go in a callout",
        ),
    ],
)
def test_loader_refuses_images_it_cannot_show_with_file_and_line(image, text, expected):
    with pytest.raises(CurriculumError, match=expected):
        parse_lesson_body(text.format(pk=image.pk), "l.md", first_line=10)
