from django.conf import settings
from django.http import Http404
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content import views as content_views
from learning import views as learning_views

# Everyone signs in, and resets a password, through allauth (rate limits, email
# verification, two-factor authentication). Wagtail's and Django's own sign-in and
# password reset addresses send people there; they never sign anyone in.
to_sign_in = RedirectView.as_view(pattern_name="account_login", query_string=True)
to_password_reset = RedirectView.as_view(pattern_name="account_reset_password")


def shared_passwords_are_off(request, *args, **kwargs):
    """Pages and documents are never protected by a shared password here."""
    raise Http404


urlpatterns = [
    path("admin/login/", to_sign_in, name="wagtailadmin_login"),
    re_path(r"^admin/password_reset/", to_password_reset, name="wagtailadmin_password_reset"),
    path("_util/login/", to_sign_in, name="wagtailcore_login"),
    re_path(r"^_util/authenticate_with_password/", shared_passwords_are_off),
    re_path(r"^documents/authenticate_with_password/", shared_passwords_are_off),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("search/", content_views.search, name="search"),
    path("learn/", include("learning.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("verify/", learning_views.verify_certificate, name="certificate_verify"),
    path("verify/<str:code>/", learning_views.verify_certificate, name="certificate_verify_code"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it catches every remaining URL.
urlpatterns += [path("", include(wagtail_urls))]
