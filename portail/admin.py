"""Last app of INSTALLED_APPS, so its admin module is discovered after every other one: the
libraries' admins (Celery beat's schedule, axes' login attempts, auth) get the guards of ours
(config.admin_services.GardeAdmin) here, once all are registered."""

from django.contrib import admin

from config.admin_services import garder

garder(admin.site)
