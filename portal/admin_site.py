"""The Django admin for PainHero's own staff, behind the portal's sign-in (throttled, two-factor).

It replaces the default ``admin.site`` (``portal.admin_apps.AdminConfig``), so every ``@admin.register``
lands here and every admin page, not only the index, asks ``has_permission``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite

from .auth_services import user_has_second_factor


class StaffAdminSite(OTPAdminSite):
    """Active staff only, and with their second factor:

    - in production (``settings.PRODUCTION``) every staff member and superuser must have a TOTP device and
      have used it in this session (``is_verified()``);
    - in development an unverified user with no device may still enter (a fresh ``createsuperuser``), but
      one WITH a device must have used it.
    """

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_verified():  # type: ignore[attr-defined]  # django_otp's OTPMiddleware adds it to request.user
            return True
        return not settings.PRODUCTION and not user_has_second_factor(user=user)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from .auth import admin_login  # the portal's views; imported late, admin sites load early

        return admin_login(request, site=self)
