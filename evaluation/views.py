"""The evaluator area: figures only, never a name, an email address or a staff number.

Views are thin: the filter form validates, ``evaluation.figures`` produces the
figures (through ``evaluation.report``), and the templates lay them out.
"""

from django.shortcuts import get_object_or_404, render

from common.disclosure import default_k
from content.models import ModulePage

from .access import evaluator_required
from .figures import module_figures
from .filters import ReportFilterForm
from .report import ATTRITION, ReportError, ReportRequest


def _modules():
    return ModulePage.objects.live().order_by("path")


@evaluator_required()
def overview(request):
    rows = []
    for module in _modules():
        figures = module_figures(ReportRequest(module=module))
        rows.append(
            {
                "module": module,
                "attrition": figures["attrition"][0],
                "scale": next((s for s in figures["scales"] if s["scale"] == "all"), None),
                "knowledge": figures["knowledge"][0],
                "reaction": figures["reaction"][0],
            }
        )
    context = {"rows": rows, "k": default_k()}
    return render(request, "evaluation/overview.html", context)


@evaluator_required()
def module_report(request, slug):
    module = get_object_or_404(_modules(), slug=slug)
    # With no filters chosen, show the breakdown by region.
    data = request.GET if request.GET else {"by": "region"}
    form = ReportFilterForm(data, module=module)
    figures = None
    if form.is_valid():
        try:
            figures = module_figures(form.report_request())
        except ReportError as exc:
            form.add_error(None, str(exc))
    context = {
        "module": module,
        "form": form,
        "figures": figures,
        "attrition_columns": ATTRITION,
    }
    return render(request, "evaluation/module.html", context)
