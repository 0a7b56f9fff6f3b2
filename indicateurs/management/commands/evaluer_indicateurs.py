from django.core.management.base import BaseCommand
from tqdm import tqdm

from config.commandes import jour_de_la_commande
from indicateurs import services
from indicateurs.models import Indicateur, Statut


class Command(BaseCommand):
    help = "Évalue tous les indicateurs à une date (aujourd'hui par défaut) ; relancer ne change rien."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Date d'évaluation, AAAA-MM-JJ.")
        parser.add_argument("--sans-barre", action="store_true", help="Sans barre de progression (journaux).")

    def handle(self, *args, **options):
        jour = jour_de_la_commande(options["date"])
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
