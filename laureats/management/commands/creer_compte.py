from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from comptes.models import Profil
from comptes.services import compte_create, jeton_create
from laureats.models import Organisation


class Command(BaseCommand):
    help = "Crée un compte avec son rôle ; avec --jeton, affiche le jeton d'API seul sur la dernière ligne."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Profil.Role.values)
        parser.add_argument("--region", action="append", dest="regions", default=[], metavar="CODE")
        parser.add_argument("--organisation", metavar="NOM")
        parser.add_argument("--email", default="")
        parser.add_argument("--jeton", action="store_true", help="Crée et affiche un jeton d'API.")
        parser.add_argument(
            "--mot-de-passe", dest="mot_de_passe", help="Pour se connecter au portail (sinon : API seulement)."
        )

    def handle(self, *args, **options):
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
                mot_de_passe=options["mot_de_passe"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(f"{k} : {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"Compte « {user.username} » créé ({options['role']}).")
        if options["jeton"]:
            _, clair = jeton_create(user=user, nom="creer_compte")
            self.stdout.write(clair)
