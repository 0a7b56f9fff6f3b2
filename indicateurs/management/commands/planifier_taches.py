"""Create the periodic evaluation in django-celery-beat, once; the admin may then change it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

NOM = "Évaluation quotidienne des indicateurs 2030"
TACHE = "indicateurs.evaluer_indicateurs"
# 6 a.m., Paris time: the night's validations are in, the digests arrive with the working day.
HEURE, MINUTE = "6", "0"
DESCRIPTION = (
    "Évalue tous les indicateurs à la date du jour, puis envoie aux directeur·rices régionaux·ales "
    "la synthèse des changements de statut."
)


class Command(BaseCommand):
    help = (
        "Planifie l'évaluation quotidienne des indicateurs (django-celery-beat). Idempotent : une planification "
        "modifiée dans l'administration est conservée, sauf avec --reinitialiser."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reinitialiser", action="store_true", help="Rétablit l'horaire par défaut (6 h 00).")

    @transaction.atomic
    def handle(self, *args, **options):
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=MINUTE, hour=HEURE, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=settings.CELERY_TIMEZONE,
        )  # fmt: skip
        tache, creee = PeriodicTask.objects.select_for_update().get_or_create(
            name=NOM, defaults={"task": TACHE, "crontab": crontab, "description": DESCRIPTION}
        )
        if creee:
            self.stdout.write(
                self.style.SUCCESS(f"Tâche planifiée : « {NOM} », tous les jours à {HEURE} h {MINUTE:0>2}.")
            )
            return
        modifiee = tache.task != TACHE
        tache.task = TACHE
        if options["reinitialiser"] and (tache.crontab_id != crontab.pk or tache.interval_id or not tache.enabled):
            tache.crontab, tache.interval, tache.solar, tache.clocked, tache.enabled = crontab, None, None, None, True
            modifiee = True
        if modifiee:
            tache.save()
            self.stdout.write(self.style.SUCCESS(f"Tâche « {NOM} » mise à jour."))
        else:
            self.stdout.write(f"Tâche « {NOM} » déjà planifiée : rien à changer.")
