from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("<slug:module_slug>/quiz/<str:timepoint>/", views.take_quiz, name="quiz"),
    path("<slug:module_slug>/survey/<str:timepoint>/", views.take_survey, name="survey"),
    path("attempts/<int:attempt_id>/", views.quiz_result, name="quiz_result"),
]
