from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        from booking.busy import appointments_and_holds
        from booking.emails import builders_register
        from booking.reminders import builders_register as reminder_builders_register
        from booking.waitlist import builders_register as joined_builders_register
        from booking.waitlist_offers import builders_register as waitlist_builders_register
        from scheduling.busy import busy_source_register

        builders_register()
        reminder_builders_register()
        waitlist_builders_register()
        joined_builders_register()
        # Appointments and holds take a practitioner's time: scheduling counts them through this source.
        busy_source_register("booking", appointments_and_holds)
