"""sitemap.xml: every public page in English and French (Django's sitemaps framework, with hreflang alternates).

Sections: the fixed pages, the guides, the cities with clinics and the in-network clinic profiles (3,000 in the
demo network, so paged: /sitemap-clinics.xml?p=2). Addresses are built from SITE_URL, like every absolute link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from clinics.models import LISTED_STATUSES, Clinic, Discipline
from content.models import Guide
from painhero.urls_abs import site_url
from places.models import City


class _Bilingual(Sitemap):
    i18n = True
    languages = ["en", "fr"]
    alternates = True
    x_default = True

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(site_url()).scheme

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(site_url()).netloc


class PagesSitemap(_Bilingual):
    def items(self) -> list[str]:
        return ["directory:home", "directory:city_index", "content:index"]

    def location(self, item: str) -> str:
        return reverse(item)


class GuidesSitemap(_Bilingual):
    def items(self) -> QuerySet[Guide]:
        return Guide.objects.published().order_by("slug").only("slug", "updated_at")

    def location(self, item: Guide) -> str:
        return reverse("content:guide", kwargs={"slug": item.slug})

    def lastmod(self, item: Guide) -> Any:
        return item.updated_at


class CitiesSitemap(_Bilingual):
    """Each city with clinics, and its page for each discipline ("/clinics/toronto/physiotherapy/")."""

    def items(self) -> list[tuple[str, str]]:
        in_network = Count("clinics", filter=Q(clinics__network_status__in=LISTED_STATUSES))
        slugs = City.objects.annotate(n=in_network).filter(n__gt=0).order_by("slug").values_list("slug", flat=True)
        return [(slug, discipline) for slug in slugs for discipline in ("", *Discipline.values)]

    def location(self, item: tuple[str, str]) -> str:
        slug, discipline = item
        if not discipline:
            return reverse("directory:city", kwargs={"city_slug": slug})
        return reverse("directory:city_discipline", kwargs={"city_slug": slug, "discipline": discipline})


class ClinicsSitemap(_Bilingual):
    limit = 1000  # clinics a page (each listed in both languages)

    def items(self) -> QuerySet[Clinic]:
        clinics = Clinic.objects.in_network().select_related("city").order_by("pk")
        return clinics.only("slug", "city__slug", "updated_at")

    def location(self, item: Clinic) -> str:
        return reverse("directory:detail", kwargs={"city_slug": item.city.slug, "clinic_slug": item.slug})

    def lastmod(self, item: Clinic) -> Any:
        return item.updated_at


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": PagesSitemap,
    "guides": GuidesSitemap,
    "cities": CitiesSitemap,
    "clinics": ClinicsSitemap,
}
