from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from indicateurs import demo


class Command(BaseCommand):
    help = (
        "Remplit le portail de données de démonstration (mesures, engagements, versements), marquées comme "
        "telles ; --supprimer les retire toutes. Les données du dossier de presse ne sont pas touchées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--supprimer", action="store_true", help="Supprime toutes les données de démonstration.")
        parser.add_argument("--graine", type=int, default=2019, help="Graine du hasard (mêmes données à chaque fois).")

    def handle(self, *args, **options):
        try:
            if options["supprimer"]:
                rapport = demo.demo_delete()
                verbe = "supprimé(s)"
            else:
                rapport = demo.demo_generate(graine=options["graine"])
                verbe = "écrit(s)"
        except demo.DemoExiste as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"Refusé par la base, rien n'a été modifié : {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration : {rapport.mesures} mesure(s), {rapport.engagements} engagement(s), "
                f"{rapport.versements} versement(s) {verbe}."
                + (f" {rapport.evaluations} évaluation(s) calculée(s)." if rapport.evaluations else "")
            )
        )
