"""The one way an image sits in lesson rich text: the width of the column.

Wagtail's left- and right-aligned formats float an image beside the text, which on a
375 px phone leaves a sliver of words; they are removed. The full-width format keeps
its name, so anything already stored still renders, and draws the image with the
same responsive ``<img>`` as the image block (``content.images``).
"""

from wagtail.images.formats import Format, register_image_format, unregister_image_format

from .images import responsive_img


class LessonImageFormat(Format):
    def image_to_html(self, image, alt_text, extra_attributes=None):
        if extra_attributes:
            # The editor's own copy, which carries Wagtail's data-* attributes.
            return super().image_to_html(image, alt_text, extra_attributes)
        return responsive_img(image, alt_text or "", css_class=self.classname)


for name in ("fullwidth", "left", "right"):
    unregister_image_format(name)
register_image_format(LessonImageFormat("fullwidth", "Full width", "app-image__img", "width-800"))
