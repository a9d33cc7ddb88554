"""Each lesson block renders, validates and offers an editor preview."""

import pytest
from django.core.exceptions import ValidationError
from wagtail import blocks as wagtail_blocks
from wagtail.rich_text import RichText

from content.blocks import (
    CalloutBlock,
    LessonStreamBlock,
    MarkdownBlock,
    QuoteBlock,
    ResourceBlock,
    ScenarioBlock,
    VideoBlock,
)

ALL_BLOCKS = LessonStreamBlock().child_blocks


def test_there_is_no_raw_html_block():
    assert not any(isinstance(b, wagtail_blocks.RawHTMLBlock) for b in ALL_BLOCKS.values())
    assert set(ALL_BLOCKS) == {
        "rich_text", "markdown", "image", "callout", "quote", "scenario", "video", "resource",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(ALL_BLOCKS))
def test_every_block_has_an_icon_template_and_description(name):
    block = ALL_BLOCKS[name]
    assert block.meta.icon and block.meta.icon != "placeholder"
    assert getattr(block.meta, "template", None), name
    assert block.get_description(), name


@pytest.mark.parametrize("name", sorted(set(ALL_BLOCKS) - {"video"}))
def test_every_block_has_an_editor_preview_that_renders(name, db):
    block = ALL_BLOCKS[name]
    assert block.is_previewable
    html = block.render(block.get_preview_value())
    assert html.strip()


def test_markdown_block_renders_sanitised_html():
    html = MarkdownBlock().render("**Hello** <script>alert(1)</script>")
    assert "<strong>Hello</strong>" in html
    assert "<script" not in html


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("information", "app-callout--information"),
        ("content_note", "app-callout--content-note"),
        ("warning", "govuk-warning-text"),
    ],
)
def test_callout_kinds(kind, expected):
    block = CalloutBlock()
    value = block.to_python({"kind": kind, "heading": "Heads up", "body": "<p>Body text</p>"})
    html = block.render(value)
    assert expected in html
    assert "Heads up" in html
    assert "Body text" in html


def test_content_note_has_a_heading_even_without_one():
    block = CalloutBlock()
    html = block.render(
        block.to_python({"kind": "content_note", "heading": "", "body": "<p>x</p>"})
    )
    assert "Content note" in html


def test_quote_escapes_what_is_typed():
    block = QuoteBlock()
    html = block.render(
        block.to_python(
            {"quote": "I <b>was</b> heard", "attribution": "Mentee", "role": "Composite"}
        )
    )
    assert "I &lt;b&gt;was&lt;/b&gt; heard" in html
    assert "Mentee, Composite" in html


def test_scenario_shows_case_and_prompt():
    block = ScenarioBlock()
    html = block.render(
        block.to_python(
            {
                "heading": "A rough weekend",
                "case": "<p>Sam is late.</p>",
                "reflection_prompt": "What next?",
            }
        )
    )
    assert "A rough weekend" in html
    assert "Sam is late." in html
    assert "What next?" in html


def test_video_renders_embed_caption_and_transcript(db):
    block = VideoBlock()
    value = block.to_python(
        {"video": "https://video.example/abc", "caption": "A short film", "transcript": "Words"}
    )
    html = block.render(value)
    assert 'src="https://video.example/abc/player"' in html
    assert "A short film" in html
    assert "Read the transcript" in html


def test_resource_needs_a_document_or_a_link():
    block = ResourceBlock()
    with pytest.raises(ValidationError):
        block.clean(
            block.to_python({"title": "Leaflet", "description": "", "document": None, "url": ""})
        )
    value = block.clean(
        block.to_python(
            {
                "title": "FRANK",
                "description": "",
                "document": None,
                "url": "https://www.talktofrank.com",
            }
        )
    )
    html = block.render(value)
    assert 'href="https://www.talktofrank.com"' in html


def test_resource_with_a_document_links_to_the_download(db):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Leaflet", file=ContentFile(b"%PDF-1.4 test", name="leaflet.pdf")
    )
    block = ResourceBlock()
    value = block.to_python(
        {"title": "Leaflet", "description": "Print it", "document": document.pk, "url": ""}
    )
    html = block.render(block.clean(value))
    assert document.url in html
    assert "PDF" in html


def test_rich_text_block_renders():
    html = ALL_BLOCKS["rich_text"].render(RichText("<p>Plain words</p>"))
    assert "Plain words" in html
