from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Health guides")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from content.models import Guide
        from content.selectors import guides_changed

        post_save.connect(guides_changed, sender=Guide, dispatch_uid="content_guides_saved")
        post_delete.connect(guides_changed, sender=Guide, dispatch_uid="content_guides_deleted")
