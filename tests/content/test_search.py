import pytest
from django.urls import reverse

from content.search import search_learning_content


@pytest.mark.django_db
def test_search_finds_modules_and_lessons(curriculum):
    titles = [page.title for page in search_learning_content("peer mentors")]
    assert "Working with peer mentors" in titles
    lesson_titles = [page.title for page in search_learning_content("OARS reflections")]
    assert "Opening the conversation" in lesson_titles


@pytest.mark.django_db
def test_search_page(coach_client, curriculum):
    html = coach_client.get(reverse("search"), {"q": "SMART action plan"}).content.decode()
    assert "result" in html
    assert "SMART action plans and the claimant commitment" in html


@pytest.mark.django_db
def test_empty_search_shows_the_error_summary(coach_client):
    html = coach_client.get(reverse("search"), {"q": "   "}).content.decode()
    assert "There is a problem" in html
    assert "Enter a word or phrase to search for" in html


@pytest.mark.django_db
def test_search_needs_sign_in(client):
    assert client.get(reverse("search"), {"q": "x"}).status_code == 302
