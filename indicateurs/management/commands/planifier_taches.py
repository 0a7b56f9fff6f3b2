"""Create the periodic tasks in django-celery-beat, once each; the admin may then change them."""

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask


@dataclass(frozen=True)
class Planification:
    nom: str
    tache: str
    heure: str
    minute: str
    description: str


NOM = "Évaluation quotidienne des indicateurs 2030"
TACHE = "indicateurs.evaluer_indicateurs"
# 6 a.m., Paris time: the night's validations are in, the digests arrive with the working day.
HEURE, MINUTE = "6", "0"
DESCRIPTION = (
    "Évalue tous les indicateurs à la date du jour, puis envoie aux directeur·rices régionaux·ales "
    "la synthèse des changements de statut."
)

NOM_RETARDS = "Signalement quotidien des tranches en retard"
TACHE_RETARDS = "financements.signaler_tranches_en_retard"

NOM_RELANCES = "Relances quotidiennes des partenaires (indicateurs à déclarer)"
TACHE_RELANCES = "indicateurs.envoyer_relances"

PLANIFICATIONS = [
    Planification(NOM, TACHE, HEURE, MINUTE, DESCRIPTION),
    # 7 a.m., Paris time: the officers find the tranches that fell overdue overnight when they start.
    Planification(
        NOM_RETARDS,
        TACHE_RETARDS,
        "7",
        "0",
        "Envoie à chaque chargé·e de programme les tranches de conventions passées en retard "
        "(date prévue dépassée, pas entièrement versées), une seule fois par tranche.",
    ),
    # 8 a.m., Paris time: the partners find what they owe at the start of their day.
    Planification(
        NOM_RELANCES,
        TACHE_RELANCES,
        "8",
        "0",
        "Envoie à chaque contact partenaire un récapitulatif des périodes de déclaration à remplir, aux étapes "
        "de relance réglées dans l'administration (avant, à et après la date limite), une seule fois par période "
        "et par étape.",
    ),
]


class Command(BaseCommand):
    help = (
        "Planifie les tâches quotidiennes (django-celery-beat) : l'évaluation des indicateurs, le signalement des "
        "tranches en retard, les relances des partenaires. Idempotent : une planification modifiée dans "
        "l'administration est conservée, sauf avec --reinitialiser."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reinitialiser", action="store_true", help="Rétablit les horaires par défaut.")

    @transaction.atomic
    def handle(self, *args, **options):
        for planification in PLANIFICATIONS:
            self._planifier(planification, reinitialiser=options["reinitialiser"])

    def _planifier(self, p: Planification, *, reinitialiser: bool) -> None:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=p.minute, hour=p.heure, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=settings.CELERY_TIMEZONE,
        )  # fmt: skip
        tache, creee = PeriodicTask.objects.select_for_update().get_or_create(
            name=p.nom, defaults={"task": p.tache, "crontab": crontab, "description": p.description}
        )
        if creee:
            self.stdout.write(
                self.style.SUCCESS(f"Tâche planifiée : « {p.nom} », tous les jours à {p.heure} h {p.minute:0>2}.")
            )
            return
        modifiee = tache.task != p.tache
        tache.task = p.tache
        if reinitialiser and (tache.crontab_id != crontab.pk or tache.interval_id or not tache.enabled):
            tache.crontab, tache.interval, tache.solar, tache.clocked, tache.enabled = crontab, None, None, None, True
            modifiee = True
        if modifiee:
            tache.save()
            self.stdout.write(self.style.SUCCESS(f"Tâche « {p.nom} » mise à jour."))
        else:
            self.stdout.write(f"Tâche « {p.nom} » déjà planifiée : rien à changer.")
