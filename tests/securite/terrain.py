"""The objects whose identifiers fill the routes' parameters: accounts of each role, a token, a
convention with a partly paid tranche, a submitted measurement, a partnership, an establishment.

Shared by the hostile walk (tests/securite/test_aucune_erreur_serveur.py) and the browser's
accessibility sweep (tests/pages/test_navigateur.py), which name them by their own prefix.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from comptes.services import jeton_create
from financements import services as financements_services
from indicateurs import services as indicateurs_services
from indicateurs.models import Indicateur
from laureats.models import Etablissement, Partenariat, Projet
from tests.factories import compte

ROLES_CONNECTES = ["partenaire", "directeur", "charge"]


def comptes_du_terrain(prefixe: str) -> dict:
    """An account of each role, and a superuser."""
    d = {role: compte(role, username=f"{prefixe}-{role}") for role in ROLES_CONNECTES}
    d["superuser"] = get_user_model().objects.create_superuser(f"{prefixe}-admin", "admin@example.org", "x")
    return d


def objets_du_terrain(d: dict, prefixe: str, *, date_mesure: datetime.date) -> dict:
    """The objects of the Biovallée project the routes are filled from, added to `d` (which holds the accounts)."""
    d["projet"] = Projet.objects.get(slug="biovallee")
    d["jeton"], _ = jeton_create(user=d["charge"], nom=prefixe)
    d["prefixe"] = d["jeton"].prefixe
    # A subsidy: a convention with its lead, two tranches, the first partly paid.
    d["convention"] = financements_services.convention_create(
        projet=d["projet"], beneficiaire=d["projet"].chef_de_file, objet="Maison de l'agroécologie",
        date_signature=datetime.date(2024, 1, 1), reference=f"CONV-{prefixe}", montant=Decimal("1000.00"), by=None,
        tranches=[
            {"date_prevue": datetime.date(2024, 1, 1), "montant": Decimal("400.00"), "condition": "À la signature"},
            {"date_prevue": datetime.date(2027, 1, 1), "montant": Decimal("600.00"), "condition": "À l'achèvement"},
        ],
    )  # fmt: skip
    d["engagement"] = d["convention"].ecritures.get()
    (d["versement"],) = financements_services.tranche_pay(
        tranche=d["convention"].tranches.get(numero=1), montant=Decimal("10.00"), date=datetime.date(2024, 2, 1),
        reference=f"V-{prefixe}", by=None,
    )  # fmt: skip
    d["indicateur"] = Indicateur.objects.filter(impact__projet=d["projet"]).order_by("pk").first()
    d["mesure"] = indicateurs_services.mesure_submit(
        indicateur=d["indicateur"], date=date_mesure, valeur=Decimal("1"), source="Relevé", by=d["partenaire"]
    )
    d["partenariat"] = Partenariat.objects.filter(projet=d["projet"]).order_by("pk").first()
    d["etablissement"] = Etablissement.objects.create(
        organisation=d["projet"].chef_de_file, siret="73282932000074", libelle="Siège"
    )
    return d
