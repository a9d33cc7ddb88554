"""Exports in the evaluator area, included under ``/evaluation/exports/`` in the
``evaluation`` namespace."""

from django.urls import path

from . import export_views

urlpatterns = [
    path("", export_views.exports, name="exports"),
    path("<uuid:job_id>/", export_views.export_detail, name="export_detail"),
    path("<uuid:job_id>/status/", export_views.export_status, name="export_status"),
    path("<uuid:job_id>/download/", export_views.export_download, name="export_download"),
]
