from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from indicateurs import demo


class Command(BaseCommand):
    help = (
        "Remplit le portail de données de démonstration (mesures, conventions et leurs échéanciers, engagements, "
        "versements, organisations « Démo — … »), marquées comme telles ; --supprimer les retire toutes. Les données "
        "du dossier de presse ne sont pas touchées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--supprimer", action="store_true", help="Supprime toutes les données de démonstration.")
        parser.add_argument("--graine", type=int, default=2019, help="Graine du hasard (mêmes données à chaque fois).")
        parser.add_argument(
            "--auteur",
            metavar="IDENTIFIANT",
            help="Compte qui signe les corrections (avenants, désengagements, annulations) et la dernière mesure "
            "de chaque indicateur ; sans lui, toutes les écritures sont sans auteur.",
        )

    def handle(self, *args, **options):
        try:
            if options["supprimer"]:
                rapport = demo.demo_delete()
                verbe = "supprimé(s)"
            else:
                rapport = demo.demo_generate(graine=options["graine"], auteur=self._auteur(options["auteur"]))
                verbe = "écrit(s)"
        except demo.DemoExiste as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"Refusé par la base, rien n'a été modifié : {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration : {rapport.mesures} mesure(s), {rapport.conventions} convention(s) "
                f"({rapport.tranches} tranche(s), {rapport.avenants} avenant(s)), {rapport.engagements} engagement(s), "
                f"{rapport.versements} versement(s), {rapport.organisations} organisation(s) {verbe}."
                + (
                    f" Dont {rapport.desengagements} désengagement(s) et {rapport.annulations} annulation(s)."
                    if rapport.desengagements or rapport.annulations
                    else ""
                )
                + (f" {rapport.evaluations} évaluation(s) calculée(s)." if rapport.evaluations else "")
            )
        )

    @staticmethod
    def _auteur(identifiant: str | None):
        if identifiant is None:
            return None
        try:
            return get_user_model().objects.get(username=identifiant)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"Compte inconnu « {identifiant} » : créez-le d'abord (creer_compte).") from exc
