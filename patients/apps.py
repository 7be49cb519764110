from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from booking.hooks import intake_attacher_register
        from patients.booking_hooks import intake_attach_to_appointment

        intake_attacher_register(intake_attach_to_appointment)
