from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        from quality import complaint_emails, emails
        from quality.invitations import invitations_register

        emails.builders_register()
        complaint_emails.builders_register()
        invitations_register()
