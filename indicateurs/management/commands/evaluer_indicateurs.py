import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from indicateurs import services
from indicateurs.models import Indicateur, Statut


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {value} » : AAAA-MM-JJ attendu.") from exc


class Command(BaseCommand):
    help = "Évalue tous les indicateurs à une date (aujourd'hui par défaut) ; relancer ne change rien."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Date d'évaluation, AAAA-MM-JJ.")
        parser.add_argument("--sans-barre", action="store_true", help="Sans barre de progression (journaux).")

    def handle(self, *args, **options):
        jour = _date(options["date"]) if options["date"] else timezone.localdate()
        with tqdm(
            total=Indicateur.objects.count(),
            unit="indicateur",
            desc=f"Évaluation au {jour:%d/%m/%Y}",
            disable=options["sans_barre"] or options["verbosity"] == 0,
            file=self.stderr,
        ) as barre:
            rapport = services.evaluation_run(date=jour, apres_lot=barre.update)
        labels = dict(Statut.choices)
        detail = ", ".join(f"{labels[s]} : {n}" for s, n in sorted(rapport.par_statut.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{rapport.nb_indicateurs} indicateur(s) évalué(s) au {jour:%d/%m/%Y}, "
                f"{rapport.nb_changements} changement(s) de statut. {detail}"
            )
        )
