from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from directory import page_cache  # noqa: F401 (connects the cache's invalidation in every process)
