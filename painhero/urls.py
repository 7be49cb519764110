from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from painhero.api import api
from painhero.health import healthz, readyz

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
urlpatterns += i18n_patterns(
    path("", include("directory.urls")),
    path("", include("booking.urls")),
    path("", include("scheduling.urls")),
    path("", include("quality.urls")),
    path("portal/", include("portal.urls")),
    prefix_default_language=False,
)
