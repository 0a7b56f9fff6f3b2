"""Last app of INSTALLED_APPS, so its admin module is discovered after every other one: the
libraries' admins (Celery beat's schedule, axes' login attempts, auth) get the guards of ours
(config.admin_services.GardeAdmin) here, once all are registered."""

from celery.schedules import ParseException
from django.contrib import admin
from django_celery_beat.admin import CrontabScheduleAdmin
from django_celery_beat.models import CrontabSchedule

from config.admin_services import GardeAdmin, garder

admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CrontabAdmin(GardeAdmin, CrontabScheduleAdmin):
    """Celery beat's crontab admin, whose form shows the schedule in words (`human_readable`)
    even when the expression it is shown again for was refused: Celery's parser then raises
    (ParseException for "-1", a 500). The words are left out until the expression is valid."""

    @admin.display(description="en clair")
    def human_readable(self, obj):
        try:
            return obj.human_readable
        except (ParseException, ValueError):
            return "—"


garder(admin.site)
