from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from patients.account_services import builders_register

        # My PainHero's sign-in email, built by the outbox worker (the one-time token is made then).
        builders_register()
