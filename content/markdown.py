"""Markdown to safe HTML.

Trainers can write Markdown in lessons. Whatever they (or a compromised account)
type, the HTML that reaches a coach's browser holds only the tags and attributes
below: no scripts, event handlers, styles, iframes or ``javascript:`` links.

Images come only from the Wagtail image library, written ``![what it shows](image:42)``
(42 being the image's number in the library), or ``![](image:42 "decorative")`` for
an image that adds nothing to the text. Each is drawn by ``content.images`` after
cleaning, in place of a marker no one can type. Anything else that Markdown would make
an image of (a web address, a missing description, an unknown number, an HTML
``<img>``) is a problem reported by ``markdown_problems`` with its line, which the
Markdown block and the curriculum loader refuse; it is never dropped silently. A page
already saved with such an image shows its description in words instead.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from xml.etree import ElementTree

import markdown as markdown_lib
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "abbr", "sub", "sup",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# GOV.UK Frontend styles only elements that carry its classes. nh3 has removed any
# class a writer typed, so each vetted opening tag gets exactly these.
_GOVUK_CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "table": "govuk-table",
    "caption": "govuk-table__caption govuk-table__caption--m",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
    "a": "govuk-link",
}
_OPENING_TAG = re.compile(rf"<({'|'.join(_GOVUK_CLASSES)})(?=[\s>])")


def add_govuk_classes(html: str) -> str:
    return _OPENING_TAG.sub(lambda m: f'<{m.group(1)} class="{_GOVUK_CLASSES[m.group(1)]}"', html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Images ----------------------------------------------------------------------------

LIBRARY_IMAGE = re.compile(r"^image:(\d+)$")
DECORATIVE = "decorative"
HOW_TO = 'Write ![what the image shows](image:ID), or ![](image:ID "decorative")'
_RAW_IMG = re.compile(r"<img\b", re.IGNORECASE)


@dataclass
class MarkdownImage:
    """An image as Markdown parsed it: ``src`` is what was written in the brackets."""

    src: str
    alt: str
    title: str

    @property
    def image_id(self) -> int | None:
        match = LIBRARY_IMAGE.match(self.src.strip())
        return int(match.group(1)) if match else None

    @property
    def decorative(self) -> bool:
        return self.title.strip().lower() == DECORATIVE

    def problem(self, known_ids: set[int] | None) -> str | None:
        """Why this image cannot be shown, or None. ``known_ids`` are the library's
        images among those referred to (None: do not look)."""
        if self.image_id is None:
            if re.match(r"^(https?:)?//", self.src.strip(), re.IGNORECASE):
                return (
                    f"images from other websites are not allowed ({self.src}). Upload "
                    f"the image to the image library, then: {HOW_TO}"
                )
            return f"'{self.src}' is not an image in the image library. {HOW_TO}"
        if known_ids is not None and self.image_id not in known_ids:
            return f"there is no image {self.image_id} in the image library"
        if not self.alt.strip() and not self.decorative:
            return (
                f"image {self.image_id} needs alt text saying what it shows: "
                f"![what it shows](image:{self.image_id}), or ![](image:{self.image_id} "
                '"decorative") if it adds nothing to the text'
            )
        return None


class _ImageMarkers(Treeprocessor):
    """Swap every image Markdown made for a marker, remembering the image."""

    def __init__(self, md, images: list[MarkdownImage], marker: str):
        super().__init__(md)
        self.images = images
        self.marker = marker

    def run(self, root):
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == "img":
                    self._replace(parent, child)

    def _replace(self, parent: ElementTree.Element, img: ElementTree.Element) -> None:
        found = MarkdownImage(img.get("src", ""), img.get("alt", ""), img.get("title", ""))
        self.images.append(found)
        text = f"{self.marker}{len(self.images) - 1}x" + (img.tail or "")
        children = list(parent)
        index = children.index(img)
        if index:
            before = children[index - 1]
            before.tail = (before.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(img)


class _ImageExtension(Extension):
    def __init__(self, images: list[MarkdownImage], marker: str):
        super().__init__()
        self.images = images
        self.marker = marker

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        # After the inline patterns (20) have made the <img> elements.
        md.treeprocessors.register(_ImageMarkers(md, self.images, self.marker), "ca_images", 15)


def _convert(text: str, marker: str) -> tuple[str, list[MarkdownImage]]:
    images: list[MarkdownImage] = []
    html = markdown_lib.markdown(
        text or "",
        extensions=[
            "tables", "sane_lists", "fenced_code", "smarty", _ImageExtension(images, marker),
        ],
        output_format="html",
    )  # fmt: skip
    return html, images


def markdown_images(text: str) -> list[MarkdownImage]:
    """Every image Markdown makes of ``text``, in order."""
    return _convert(text, marker="")[1]


def _library_images(ids: set[int]) -> dict:
    if not ids:
        return {}
    from wagtail.images import get_image_model

    return get_image_model().objects.in_bulk(ids)


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return 1


def markdown_problems(text: str, *, library: bool = True) -> list[tuple[int, str]]:
    """(line, message) for every image in ``text`` that cannot be shown, and every
    HTML ``<img>``. ``library=False`` skips looking the numbers up."""
    problems = [
        (number, "HTML is not allowed: add images with Markdown. " + HOW_TO)
        for number, line in enumerate((text or "").splitlines(), start=1)
        if _RAW_IMG.search(line)
    ]
    images = markdown_images(text)
    known = None
    if library:
        known = set(_library_images({i.image_id for i in images if i.image_id is not None}))
    for image in images:
        message = image.problem(known)
        if message:
            problems.append((_line_of(text, image.src or "!["), message))
    return sorted(problems)


def _image_html(image: MarkdownImage, library: dict) -> str:
    found = library.get(image.image_id)
    if image.problem(set(library)) is None and found is not None:
        from .images import responsive_img

        return responsive_img(found, "" if image.decorative else image.alt.strip())
    # Refused when saved, but the image may have been deleted since: say what it was.
    if image.alt.strip():
        return f"<span>[{escape(image.alt.strip())}]</span>"
    return ""


def render_markdown(text: str, *, govuk_classes: bool = True) -> SafeString:
    """Render trusted-or-not Markdown to sanitised HTML, safe to put in a page."""
    # A marker no one can type: letters and digits only, so nh3 leaves it alone.
    marker = f"caimage{secrets.token_hex(8)}n"
    html, images = _convert(text, marker)
    clean = sanitise_html(html)
    if govuk_classes:
        # Classes are added after cleaning, to tags nh3 has already vetted.
        clean = add_govuk_classes(clean)
    if images:
        library = _library_images({i.image_id for i in images if i.image_id is not None})
        for index, image in enumerate(images):
            clean = clean.replace(f"{marker}{index}x", _image_html(image, library), 1)
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 above; images drawn by us
