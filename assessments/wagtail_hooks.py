"""Admin wiring for quizzes and confidence surveys."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import ConfidenceSurvey, Quiz


class LatestVersionColumn(Column):
    def get_value(self, instance):
        version = instance.latest_version
        if version is None:
            return "Not published yet"
        return f"Version {version.number}, {version.published_at:%d %B %Y}"


class InstrumentViewSet(SnippetViewSet):
    list_display = ["title", "key", LatestVersionColumn("version", label="Published version")]
    list_filter = []
    search_fields = ["title", "introduction"]
    inspect_view_enabled = True


class QuizViewSet(InstrumentViewSet):
    model = Quiz
    icon = "help"
    menu_label = "Quizzes"


class ConfidenceSurveyViewSet(InstrumentViewSet):
    model = ConfidenceSurvey
    icon = "list-ul"
    menu_label = "Confidence surveys"


class AssessmentsGroup(SnippetViewSetGroup):
    menu_label = "Assessments"
    menu_icon = "tasks"
    menu_order = 300
    items = (QuizViewSet, ConfidenceSurveyViewSet)


register_snippet(AssessmentsGroup)


@hooks.register("before_delete_snippet")
def protect_answered_instruments(request, instances):
    """A quiz or survey whose published versions have answers is evidence: it stays.
    One with versions but no answers may go, versions and all."""
    instruments = [i for i in instances if isinstance(i, (Quiz, ConfidenceSurvey))]
    if not instruments:
        return None
    answered = [i for i in instruments if any(v.has_answers() for v in i.versions.all())]
    if answered:
        for instrument in answered:
            messages.error(
                request,
                f"‘{instrument}’ cannot be deleted: people have answered it, and their "
                "answers must keep their meaning. Unpublish it instead.",
            )
        first = answered[0]
        return redirect(first.snippet_viewset.get_url_name("edit"), first.pk)
    if request.method == "POST":
        from .services import delete_unanswered_versions

        for instrument in instruments:
            delete_unanswered_versions(instrument)
    return None
