import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from financements import relances


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {value} » : AAAA-MM-JJ attendu.") from exc


class Command(BaseCommand):
    help = (
        "Envoie aux chargé·es de programme les tranches passées en retard et pas encore signalées, "
        "à une date (aujourd'hui par défaut) ; relancer n'envoie rien de plus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Date du jour, AAAA-MM-JJ.")

    def handle(self, *args, **options):
        jour = _date(options["date"]) if options["date"] else timezone.localdate()
        envoyes = relances.tranches_en_retard_notify(jour=jour)
        self.stdout.write(
            self.style.SUCCESS(f"{envoyes} message(s) envoyé(s) pour les tranches en retard au {jour:%d/%m/%Y}.")
        )
