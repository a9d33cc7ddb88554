"""Admin wiring for quizzes and confidence surveys."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup
from wagtail.snippets.widgets import AdminSnippetChooser

from .models import ConfidenceSurvey, Quiz


class LatestVersionColumn(Column):
    def get_value(self, instance):
        version = instance.latest_version
        if version is None:
            return "Not published yet"
        return f"Version {version.number}, {version.published_at:%d %B %Y}"


# Choosers (the module page's quiz and survey fields) say plainly which instruments
# are not live: a module can only be published with live ones.


class StatusColumn(Column):
    def get_value(self, instance):
        return instance.status_label


class InstrumentChooseMixin:
    @property
    def columns(self):
        columns = [c for c in super().columns if not isinstance(c, LiveStatusTagColumn)]
        # A fresh title column each time (see BaseChooseView.title_column).
        columns[0].accessor = "chooser_title"
        return [*columns, StatusColumn("status", label="Status")]


class InstrumentChooseView(InstrumentChooseMixin, ChooseView):
    pass


class InstrumentChooseResultsView(InstrumentChooseMixin, ChooseResultsView):
    pass


class InstrumentChosenView(SnippetChosenView):
    def get_display_title(self, instance):
        return instance.chooser_title


class InstrumentChooserWidget(AdminSnippetChooser):
    def get_display_title(self, instance):
        return instance.chooser_title


class InstrumentChooserViewSet(SnippetChooserViewSet):
    choose_view_class = InstrumentChooseView
    choose_results_view_class = InstrumentChooseResultsView
    chosen_view_class = InstrumentChosenView
    base_widget_class = InstrumentChooserWidget


class InstrumentViewSet(SnippetViewSet):
    chooser_viewset_class = InstrumentChooserViewSet
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


@hooks.register("before_delete_snippet", order=-20)
def protect_answered_instruments(request, instances):
    """A quiz or survey whose published versions have answers is evidence: it stays.
    One with versions but no answers may go, versions and all (below, once every
    other check has let the delete go ahead)."""
    instruments = [i for i in instances if isinstance(i, (Quiz, ConfidenceSurvey))]
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
    return None


@hooks.register("before_delete_snippet", order=100)
def delete_versions_with_their_instrument(request, instances):
    if request.method != "POST":
        return None
    from .services import delete_unanswered_versions

    for instrument in instances:
        if isinstance(instrument, (Quiz, ConfidenceSurvey)):
            delete_unanswered_versions(instrument)
    return None
