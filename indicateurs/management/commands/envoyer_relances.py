from django.core.management.base import BaseCommand

from config.commandes import jour_de_la_commande
from indicateurs import relances


class Command(BaseCommand):
    help = (
        "Envoie à chaque contact partenaire le récapitulatif des périodes de déclaration à remplir, aux étapes de "
        "relance atteintes à une date (aujourd'hui par défaut) ; relancer n'envoie rien de plus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Date du jour, AAAA-MM-JJ.")

    def handle(self, *args, **options):
        jour = jour_de_la_commande(options["date"])
        envoyes = relances.relances_send(jour=jour)
        self.stdout.write(self.style.SUCCESS(f"{envoyes} relance(s) envoyée(s) aux partenaires au {jour:%d/%m/%Y}."))
