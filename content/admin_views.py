"""The authoring guide (docs/authoring.md), shown inside the admin."""

from pathlib import Path

from django.conf import settings
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .markdown import render_markdown

GUIDE = Path(settings.BASE_DIR) / "docs" / "authoring.md"


class AuthoringGuideView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Authoring guide"
    header_icon = "doc-full"
    template_name = "content/admin/authoring_guide.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Admin styles, not GOV.UK ones: the admin does not load the service's CSS.
        context["guide"] = render_markdown(GUIDE.read_text(encoding="utf-8"), govuk_classes=False)
        return context


authoring_guide = AuthoringGuideView.as_view()
