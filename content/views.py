from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .forms import SearchForm
from .search import search_learning_content


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    page = None
    if form.is_bound and form.is_valid():
        results = search_learning_content(form.cleaned_data["q"])
        page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "content/search.html",
        {"form": form, "query": form.data.get("q", ""), "results": page},
    )
