"""Markdown to safe HTML.

Trainers can write Markdown in lessons. Whatever they (or a compromised account)
type, the HTML that reaches a coach's browser holds only the tags and attributes
below: no scripts, event handlers, styles, iframes or ``javascript:`` links.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

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

# GOV.UK Frontend styles only elements that carry its classes.
_GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<table>": '<table class="govuk-table">',
    "<hr>": '<hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">',
    "<a ": '<a class="govuk-link" ',
}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str, *, govuk_classes: bool = True) -> SafeString:
    """Render trusted-or-not Markdown to sanitised HTML, safe to put in a page."""
    html = markdown_lib.markdown(
        text or "",
        extensions=["tables", "sane_lists", "fenced_code", "smarty"],
        output_format="html",
    )
    clean = sanitise_html(html)
    if govuk_classes:
        # Classes are added after cleaning, to tags nh3 has already vetted.
        for tag, replacement in _GOVUK_CLASSES.items():
            clean = clean.replace(tag, replacement)
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 above
