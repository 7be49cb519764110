from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        from quality.emails import builders_register
        from quality.invitations import invitations_register

        builders_register()
        invitations_register()
