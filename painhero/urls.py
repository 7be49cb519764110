from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from content.seo import robots_txt
from content.sitemaps import SITEMAPS
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
    path("robots.txt", robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"},
        name="sitemap_index",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("notifications/", include("notifications.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("directory.urls")),
    path("", include("booking.urls")),
    path("", include("scheduling.urls")),
    path("", include("patients.urls")),
    path("", include("quality.urls")),
    path("portal/", include("portal.urls")),
    path("", include("content.urls")),
    prefix_default_language=False,
)
