import os

from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import include, path


def instance(request):
    """Which provider this is, so a test run knows it reached the one it started
    and not another run's on the same port."""
    return HttpResponse(os.environ["OIDC_PROVIDER_INSTANCE"], content_type="text/plain")


urlpatterns = [
    path("instance/", instance),
    path("login/", LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
