from django.core.management.base import BaseCommand

from config.commandes import jour_de_la_commande
from financements import relances


class Command(BaseCommand):
    help = (
        "Envoie aux chargé·es de programme les tranches passées en retard et pas encore signalées, "
        "à une date (aujourd'hui par défaut) ; relancer n'envoie rien de plus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Date du jour, AAAA-MM-JJ.")

    def handle(self, *args, **options):
        jour = jour_de_la_commande(options["date"])
        envoyes = relances.tranches_en_retard_notify(jour=jour)
        self.stdout.write(
            self.style.SUCCESS(f"{envoyes} message(s) envoyé(s) pour les tranches en retard au {jour:%d/%m/%Y}.")
        )
