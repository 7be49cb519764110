"""Canadian provinces and cities: the places patients search by."""

from __future__ import annotations

import unicodedata

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    AB = "AB", _("Alberta")
    BC = "BC", _("British Columbia")
    MB = "MB", _("Manitoba")
    NB = "NB", _("New Brunswick")
    NL = "NL", _("Newfoundland and Labrador")
    NS = "NS", _("Nova Scotia")
    NT = "NT", _("Northwest Territories")
    NU = "NU", _("Nunavut")
    ON = "ON", _("Ontario")
    PE = "PE", _("Prince Edward Island")
    QC = "QC", _("Quebec")
    SK = "SK", _("Saskatchewan")
    YT = "YT", _("Yukon")


def search_names_for(*names: str) -> str:
    """The value of ``City.search_names`` for these names: folded, de-duplicated, "|"-joined."""
    return "|".join(sorted({fold(n) for n in names if n and fold(n)}))


def fold(text: str) -> str:
    """Lower-case, accent-free form used for matching ("Montréal" -> "montreal")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class CityQuerySet(models.QuerySet["City"]):
    def matching(self, query: str) -> CityQuerySet:
        """Cities whose English or French name (accents ignored) starts a word with ``query``."""
        folded = fold(query)
        if not folded:
            return self.none()
        return self.filter(models.Q(search_names__startswith=folded) | models.Q(search_names__contains=f"|{folded}"))


class City(models.Model):
    geonameid = models.PositiveIntegerField(unique=True, null=True, blank=True)
    name = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveIntegerField(default=0)
    time_zone = models.CharField(max_length=64)
    # "|"-separated folded names (English, French, common spellings), for prefix matching.
    search_names = models.TextField(editable=False, default="")

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["-population", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(latitude__gte=-90, latitude__lte=90), name="city_latitude_range"),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180), name="city_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.province}"

    @property
    def display_name(self) -> str:
        return self.name_fr if (get_language() or "en").startswith("fr") else self.name
