from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Clinics")

    def ready(self) -> None:
        from clinics import page_cache  # noqa: F401 (connects the cache's invalidation to every process)
