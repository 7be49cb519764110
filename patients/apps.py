from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from booking.hooks import intake_attacher_register
        from patients.account_services import builders_register
        from patients.booking_hooks import intake_attach_to_appointment
        from patients.outcomes_checkins import builders_register as checkin_builders_register

        # My PainHero's sign-in email, built by the outbox worker (the one-time token is made then).
        builders_register()
        # The outcome check-in's invitation (patients/outcomes_checkins.py), its one-time link made then.
        checkin_builders_register()
        # A booking that carries an intake (the API's intake_token, the answer page's free consultation).
        intake_attacher_register(intake_attach_to_appointment)
        # Care plans: the plan's email, and the plan a series booking carries (booking.hooks).
        from booking.hooks import series_attacher_register
        from notifications.registry import builder_register
        from patients.careplans import SEND_EMAIL_KIND, careplan_attach_series, careplan_email_build

        builder_register(SEND_EMAIL_KIND, careplan_email_build)
        series_attacher_register(careplan_attach_series)
        # A visit moved or cancelled moves or drops its outcome check-in invitation (booking.hooks).
        from booking.hooks import appointment_change_register
        from patients.outcomes_checkins import checkins_follow_appointment

        appointment_change_register(checkins_follow_appointment)
