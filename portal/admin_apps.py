"""Stands in for ``django.contrib.admin`` in INSTALLED_APPS (see the end of settings): the same app,
whose default site is ``portal.admin_site.StaffAdminSite``. Kept apart from ``admin_site`` because an
AppConfig's module is imported before the models are ready."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "portal.admin_site.StaffAdminSite"
