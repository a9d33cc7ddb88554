from wagtail.models import Page

from .models import LessonPage, ModulePage


def search_learning_content(query: str):
    """Live, public modules and lessons matching the query, best first."""
    return Page.objects.live().public().type(ModulePage, LessonPage).specific().search(query)
