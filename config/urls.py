from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content import views as content_views
from learning import views as learning_views

urlpatterns = [
    # Everyone signs in through allauth (email verification, two-factor), the admin too.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login",
    ),
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
