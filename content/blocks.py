"""StreamField blocks for lessons.

Every block has an icon, a template under ``templates/blocks/``, a description and a
preview value so trainers see what it will look like before they add it. There is
deliberately no raw-HTML block: everything a trainer types is escaped or sanitised.
"""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

from .images import responsive_img
from .markdown import markdown_problems, render_markdown

RICH_TEXT_FEATURES = [
    "h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "image",
]  # fmt: skip
SHORT_RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class MarkdownBlock(blocks.TextBlock):
    """Markdown, rendered with ``markdown`` and sanitised with nh3."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["html"] = render_markdown(value)
        return context

    def render_basic(self, value, context=None):
        return render_markdown(value)

    def clean(self, value):
        value = super().clean(value)
        problems = markdown_problems(value)
        if problems:
            raise ValidationError([f"Line {line}: {message}" for line, message in problems])
        return value

    class Meta:
        icon = "code"
        template = "blocks/markdown.html"
        label = "Markdown"
        description = (
            "Text written in Markdown. HTML is not allowed. Add an image from the image "
            "library with ![what it shows](image:ID)."
        )
        preview_value = (
            "## What you will learn\n\n"
            "- how to **open** a conversation\n- how to *listen* well\n\n"
            "Read more on [FRANK](https://www.talktofrank.com)."
        )
        rows = 12


class CalloutBlock(blocks.StructBlock):
    KINDS = [
        ("information", "Information"),
        ("warning", "Warning"),
        ("content_note", "Content note"),
    ]
    kind = blocks.ChoiceBlock(choices=KINDS, default="information")
    heading = blocks.CharBlock(required=False, max_length=120)
    body = blocks.RichTextBlock(features=SHORT_RICH_TEXT_FEATURES)

    class Meta:
        icon = "info-circle"
        template = "blocks/callout.html"
        label = "Callout"
        description = (
            "A highlighted box: information, a warning, or a content note before "
            "material about overdose, suicide or self-harm."
        )
        preview_value = {
            "kind": "content_note",
            "heading": "Content note",
            "body": "<p>This lesson talks about suicide. If it affects you, talk to your "
            "manager or call Samaritans free on 116 123.</p>",
        }


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(
        max_length=120,
        help_text="Who said it, in a way that does not identify them: e.g. 'Mentee' or "
        "'Peer mentor, North West'. Never a real person's name without their consent.",
    )
    role = blocks.CharBlock(
        required=False,
        max_length=160,
        help_text="For example, 'Peer mentor, North West'. Say if the quote is a composite.",
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"
        label = "Lived-experience quote"
        description = "Words from someone with lived experience, with who said them."
        preview_value = {
            "quote": "Nobody asked me what I wanted until my mentor did.",
            "attribution": "Mentee",
            "role": "Composite quote written for training",
        }


class ScenarioBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Scenario")
    case = blocks.RichTextBlock(features=SHORT_RICH_TEXT_FEATURES, help_text="The situation.")
    reflection_prompt = blocks.TextBlock(help_text="A question for the coach to think about.")

    class Meta:
        icon = "group"
        template = "blocks/scenario.html"
        label = "Scenario"
        description = "A short case from a Jobcentre, then a question to reflect on."
        preview_value = {
            "heading": "Scenario: a rough weekend",
            "case": "<p>Sam arrives late and says: 'Rough weekend, you know how it is.'</p>",
            "reflection_prompt": "What could you say next that invites Sam to say more?",
        }


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text="A link to the video, for example on YouTube or Vimeo.")
    caption = blocks.CharBlock(required=False, max_length=200)
    transcript = blocks.TextBlock(
        required=False, help_text="A transcript, for people who cannot watch or hear the video."
    )

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = "Video"
        description = "An embedded video with a caption and transcript."


class ResourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150)
    description = blocks.TextBlock(required=False)
    document = DocumentChooserBlock(required=False, help_text="A file to download.")
    url = blocks.URLBlock(required=False, help_text="Or a link to a web page.")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("document") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError("Choose a document or give a link.")}
            )
        return value

    class Meta:
        icon = "doc-full"
        template = "blocks/resource.html"
        label = "Downloadable resource"
        description = "A document to download, or a link to a trusted web page."
        preview_value = {
            "title": "FRANK: honest information about drugs",
            "description": "Free, confidential advice, 24 hours a day.",
            "url": "https://www.talktofrank.com",
        }


class ImageValue(blocks.StructValue):
    @property
    def alt(self) -> str:
        """The alt attribute: empty for a decorative image."""
        return "" if self.get("decorative") else (self.get("alt_text") or "").strip()


class ImageBlock(blocks.StructBlock):
    """An image from the library, described for people who cannot see it."""

    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=250,
        label="Alt text",
        help_text=(
            "Say what the image shows, for people who use a screen reader or cannot "
            "load images. Do not start with 'Image of'."
        ),
    )
    decorative = blocks.BooleanBlock(
        required=False,
        label="The image is decorative",
        help_text=(
            "Tick only if the image adds nothing that the text does not already say. "
            "Screen readers will skip it, and any alt text is not used."
        ),
    )
    caption = blocks.CharBlock(
        required=False, max_length=250, help_text="Shown under the image, for everyone."
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        if value.get("image"):
            context["img"] = responsive_img(value["image"], value.alt)
        return context

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not (value.get("alt_text") or "").strip():
            raise blocks.StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(
                        "Enter alt text that says what the image shows, or tick "
                        "'The image is decorative'"
                    )
                }
            )
        return value

    def get_preview_value(self):
        # The newest image in the library, so the preview shows a real picture.
        image = get_image_model().objects.order_by("-created_at").first()
        return self.to_python(
            {
                "image": image.pk if image else None,
                "alt_text": "A work coach and a customer talking at a desk",
                "decorative": False,
                "caption": "A conversation at a Jobcentre (illustration)",
            }
        )

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = "Image"
        value_class = ImageValue
        description = (
            "An image from the image library, with alt text (or marked as decorative) "
            "and an optional caption. It fits any screen."
        )


class LessonStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="blocks/rich_text.html",
        label="Text",
        description="Paragraphs, headings, lists, links and images from the image library.",
        preview_value="<h2>Why it matters</h2><p>Work can help people sustain recovery.</p>",
    )
    markdown = MarkdownBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    quote = QuoteBlock()
    scenario = ScenarioBlock()
    video = VideoBlock()
    resource = ResourceBlock()
