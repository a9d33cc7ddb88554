"""Images in lessons: one way to draw them, whatever the trainer used to add them.

The image block, images in rich text and images in Markdown all come out as one
``<img>`` with a ``srcset`` of renditions, ``sizes`` for the lesson column, the
fallback rendition's ``width`` and ``height`` (so the page does not jump as images
load) and an ``alt`` attribute that is always present: the trainer's description, or
empty for a decorative image. ``.app-lesson-body img`` keeps it inside a 375 px
phone screen (``max-width: 100%; height: auto``).
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from wagtail.images.models import ResponsiveImage
from wagtail.images.shortcuts import get_renditions_or_not_found

#: The renditions offered, the first being the fallback ``src``: the lesson column
#: is at most 640 CSS pixels wide, and 960 and 1280 serve screens with denser pixels.
RENDITION_SPECS = ["width-640", "width-320", "width-960", "width-1280"]
#: How wide the image is drawn: the whole screen on a phone, the column on a desktop.
SIZES = "(min-width: 40.0625em) 640px, 100vw"
IMAGE_CLASS = "app-image__img"


def responsive_img(image, alt: str, css_class: str = IMAGE_CLASS) -> SafeString:
    """``<img>`` for a Wagtail image, with ``alt`` as given ("" when decorative)."""
    renditions = get_renditions_or_not_found(image, RENDITION_SPECS)
    attrs = {"alt": alt, "sizes": SIZES, "class": css_class, "loading": "lazy"}
    return mark_safe(ResponsiveImage(renditions, attrs).__html__())  # noqa: S308 - flatatt escapes
