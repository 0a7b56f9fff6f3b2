import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicateurs import relances


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {value} » : AAAA-MM-JJ attendu.") from exc


class Command(BaseCommand):
    help = (
        "Envoie à chaque contact partenaire le récapitulatif des périodes de déclaration à remplir, aux étapes de "
        "relance atteintes à une date (aujourd'hui par défaut) ; relancer n'envoie rien de plus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Date du jour, AAAA-MM-JJ.")

    def handle(self, *args, **options):
        jour = _date(options["date"]) if options["date"] else timezone.localdate()
        envoyes = relances.relances_send(jour=jour)
        self.stdout.write(self.style.SUCCESS(f"{envoyes} relance(s) envoyée(s) aux partenaires au {jour:%d/%m/%Y}."))
