from django.urls import include, path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("modules/<slug:slug>/", views.module_report, name="module"),
    path("exports/", include("evaluation.export_urls")),
]
