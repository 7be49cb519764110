from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from clinics.hooks import catalogue_change_register
        from scheduling.cache import next_open_times_refresh_after_commit

        # A clinic's practitioners or services changed (clinics.services): rebuild its next open times after commit.
        catalogue_change_register(next_open_times_refresh_after_commit)
