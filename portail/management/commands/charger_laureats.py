from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.chargement import FIXTURES_DIR, FixtureError
from laureats.models import Projet
from portail.chargement import programme_load


class Command(BaseCommand):
    help = "Charge les référentiels et les 24 lauréats du dossier de presse (idempotent, en une transaction)."

    def add_arguments(self, parser):
        parser.add_argument("--referentiels", type=Path, default=FIXTURES_DIR / "referentiels.json")
        parser.add_argument("--laureats", type=Path, default=FIXTURES_DIR / "laureats.json")
        parser.add_argument(
            "--si-vide",
            action="store_true",
            help="Ne charge que si aucun projet n'existe (démarrage) : les modifications des chargé·es sont gardées.",
        )

    def handle(self, *args, **options):
        # At start-up the press kit is the initial state, not a reference to reapply
        # over what officers have edited since.
        if options["si_vide"] and Projet.objects.exists():
            self.stdout.write("Lauréats déjà chargés : rien à faire.")
            return
        try:
            rapport = programme_load(referentiels_path=options["referentiels"], laureats_path=options["laureats"])
        except FixtureError as exc:
            raise CommandError(f"Chargement refusé, rien n'a été écrit. {exc}") from exc
        if options["verbosity"] > 1:
            for ligne in rapport.lignes():
                self.stdout.write(ligne)
        self.stdout.write(
            self.style.SUCCESS(f"Chargement terminé : {rapport.nb_ecritures} écriture(s).")
            if rapport.nb_ecritures
            else "Chargement terminé : rien à changer."
        )
