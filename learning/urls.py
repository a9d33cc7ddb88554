from django.urls import path

from . import team, views

app_name = "learning"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("resume/", views.resume, name="resume"),
    path("evaluation-choice/", views.evaluation_choice, name="evaluation_choice"),
    path("attempts/<int:attempt_id>/", views.quiz_result, name="quiz_result"),
    path("team/", team.team_progress, name="team"),
    path("<slug:module_slug>/", views.module, name="module"),
    path("<slug:module_slug>/privacy/", views.privacy, name="privacy"),
    path("<slug:module_slug>/quiz/<str:timepoint>/", views.take_quiz, name="quiz"),
    path("<slug:module_slug>/survey/<str:timepoint>/", views.take_survey, name="survey"),
    path("<slug:module_slug>/lessons/", views.lessons, name="lessons"),
    path("<slug:module_slug>/completed/", views.completed, name="completed"),
    path("<slug:module_slug>/certificate/", views.certificate, name="certificate"),
    path(
        "<slug:module_slug>/certificate.pdf",
        views.certificate,
        {"pdf": True},
        name="certificate_pdf",
    ),
]
