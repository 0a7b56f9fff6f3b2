import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from comptes.models import Profil
from comptes.services import compte_create, jeton_create
from laureats.models import Organisation

# For scripts: the password from the environment, never from the command line (ps, shell history).
VARIABLE_MOT_DE_PASSE = "CREER_COMPTE_MOT_DE_PASSE"
# What argparse stores for a bare --mot-de-passe: ask for the password at the terminal.
DEMANDE = object()


class Command(BaseCommand):
    help = (
        "Crée un compte avec son rôle ; avec --jeton, affiche le jeton d'API seul sur la dernière ligne. "
        "Le mot de passe (pour se connecter au portail ; sinon : API seulement) se saisit au terminal "
        f"(--mot-de-passe), ou se lit sur l'entrée standard (--mot-de-passe-stdin) ou dans la variable "
        f"d'environnement {VARIABLE_MOT_DE_PASSE} ; jamais en argument."
    )
    stealth_options = ("stdin",)  # tests hand the standard input in

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Profil.Role.values)
        parser.add_argument("--region", action="append", dest="regions", default=[], metavar="CODE")
        parser.add_argument("--organisation", metavar="NOM")
        parser.add_argument("--email", default="")
        parser.add_argument("--prenom", default="", help="Montré aux autres rôles comme auteur de ses écritures.")
        parser.add_argument("--nom", default="", help="Montré aux autres rôles comme auteur de ses écritures.")
        parser.add_argument("--jeton", action="store_true", help="Crée et affiche un jeton d'API.")
        parser.add_argument(
            # A value after it is refused in handle(): an old invocation must not pass silently.
            "--mot-de-passe", dest="mot_de_passe", nargs="?", const=DEMANDE, default=None, metavar="",
            help="Demande le mot de passe au terminal, deux fois ; une valeur après l'option est refusée.",
        )  # fmt: skip
        parser.add_argument(
            "--mot-de-passe-stdin", action="store_true", help="Lit le mot de passe sur la première ligne de l'entrée."
        )
        parser.add_argument(
            "--administrateur", action="store_true",
            help="Chargé·e de programme qui administre aussi le portail (/admin/) ; mot de passe obligatoire.",
        )  # fmt: skip

    def handle(self, *args, **options):
        mot_de_passe = self._mot_de_passe(options)
        organisation = None
        if nom := options["organisation"]:
            # The name as the fiche prints it, or the slug.
            organisation = Organisation.objects.filter(Q(nom=nom) | Q(slug=nom)).order_by("nom").first()
            if organisation is None:
                raise CommandError(f"organisation : Organisation inconnue « {nom} ».")
        try:
            user = compte_create(
                username=options["username"],
                role=options["role"],
                regions=options["regions"],
                organisation=organisation,
                email=options["email"],
                prenom=options["prenom"],
                nom=options["nom"],
                mot_de_passe=mot_de_passe,
                administrateur=options["administrateur"],
            )
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"{k} : {' '.join(v)}" for k, v in exc.message_dict.items()) + " Aucun compte n'a été créé."
            ) from exc
        acces = "portail et API" if mot_de_passe is not None else "API seulement"
        self.stdout.write(f"Compte « {user.username} » créé ({options['role']} ; {acces}).")
        if options["jeton"]:
            _, clair = jeton_create(user=user, nom="creer_compte")
            self.stdout.write(clair)

    def _mot_de_passe(self, options) -> str | None:
        """The password from the one source chosen, or None for an API-only account."""
        demande = options["mot_de_passe"]
        if demande is not None and demande is not DEMANDE:
            # The value is not repeated: it is already in the shell history, not also in a log.
            raise CommandError(
                "--mot-de-passe ne prend plus de valeur : un mot de passe en argument se lit dans `ps` et "
                "l'historique du shell. Utilisez --mot-de-passe seul (saisie au terminal), "
                f"--mot-de-passe-stdin, ou la variable d'environnement {VARIABLE_MOT_DE_PASSE}. "
                "Aucun compte n'a été créé."
            )
        environnement = os.environ.get(VARIABLE_MOT_DE_PASSE)
        sources = [demande is DEMANDE, options["mot_de_passe_stdin"], environnement is not None]
        if sum(sources) > 1:
            raise CommandError(
                f"Un seul moyen de donner le mot de passe : --mot-de-passe, --mot-de-passe-stdin ou "
                f"{VARIABLE_MOT_DE_PASSE}. Aucun compte n'a été créé."
            )
        if environnement == "":
            # Likely an empty line of an .env file: neither a password nor a choice of an API-only account.
            raise CommandError(
                f"La variable {VARIABLE_MOT_DE_PASSE} est définie mais vide : donnez-y le mot de passe, ou retirez-la "
                "pour un compte sans connexion au portail (API seulement). Aucun compte n'a été créé."
            )
        if environnement is not None:
            return environnement
        if options["mot_de_passe_stdin"]:
            ligne = options.get("stdin", sys.stdin).readline()
            return ligne.removesuffix("\n").removesuffix("\r")
        if demande is DEMANDE:
            try:
                premier = getpass.getpass("Mot de passe : ")
                second = getpass.getpass("Mot de passe (confirmation) : ")
            except (EOFError, KeyboardInterrupt) as exc:
                raise CommandError("Saisie interrompue. Aucun compte n'a été créé.") from exc
            if premier != second:
                raise CommandError("Les deux saisies du mot de passe diffèrent. Aucun compte n'a été créé.")
            return premier
        return None
