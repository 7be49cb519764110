from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from painhero.api import api
from painhero.health import healthz, readyz

urlpatterns = [
    path("api/v1/", api.urls),
    # FHIR R4 and SMART Scheduling Links: machine-read, so outside the language prefixes.
    path("fhir/", include("interop.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
urlpatterns += i18n_patterns(
    path("", include("directory.urls")),
    path("", include("booking.urls")),
    path("", include("scheduling.urls")),
    path("portal/", include("portal.urls")),
    prefix_default_language=False,
)
