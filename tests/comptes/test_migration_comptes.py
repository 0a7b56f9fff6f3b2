"""Accounts moved from laureats to comptes: a database from before the move keeps its accounts and tokens."""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from comptes.authentification import JetonAuthentication
from comptes.models import JetonAPI, Profil
from comptes.roles import role_of

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# Before the move: laureats holds the accounts, comptes has no migration applied.
AVANT = [("laureats", "0004_objectifs_introduction_conclusion"), ("comptes", None)]
APRES = [("laureats", "0005_comptes_deplaces"), ("comptes", "0001_initial")]
JETON = "un-jeton-cree-avant-le-demenagement-des-comptes"


def _migrer(cibles) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cibles)


def _migrer_jusqu_au_bout() -> None:
    """The latest schema again, with whatever migrations follow APRES."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _modeles_d_avant():
    """The models as the schema before the move declares them."""
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(AVANT[0]).apps


def test_accounts_and_tokens_written_before_the_move_survive_it_and_the_token_still_authenticates(
    postgresql, programme_charge
):
    try:
        _migrer(AVANT)
        anciens = _modeles_d_avant()
        User = anciens.get_model("auth", "User")
        Region = anciens.get_model("territoires", "Region")
        Organisation = anciens.get_model("laureats", "Organisation")
        AncienProfil = anciens.get_model("laureats", "Profil")
        AncienJeton = anciens.get_model("laureats", "JetonAPI")
        Permission = anciens.get_model("auth", "Permission")

        user = User.objects.create(username="lea", is_active=True)
        biovallee = Organisation.objects.get(nom="Association Biovallée")
        profil = AncienProfil.objects.create(user=user, role="partenaire", organisation=biovallee)
        profil.regions.set(Region.objects.filter(code__in=["84", "93"]))
        AncienJeton.objects.create(
            user=user, nom="synchronisation", prefixe=JETON[:8], empreinte=hashlib.sha256(JETON.encode()).hexdigest()
        )
        # History rows, as simple_history wrote them before the move.
        historique = anciens.get_model("laureats", "HistoricalProfil").objects.create(
            id=profil.pk, user_id=user.pk, role="partenaire", organisation_id=biovallee.pk,
            history_date="2026-11-30T10:00:00Z", history_type="+",
        )  # fmt: skip
        lien = AncienProfil.regions.through.objects.get(profil=profil, region__code="84")
        anciens.get_model("laureats", "HistoricalProfil_regions").objects.create(
            id=lien.pk, history=historique, profil_id=profil.pk, region_id=lien.region_id
        )
        anciens.get_model("laureats", "HistoricalJetonAPI").objects.create(
            id=AncienJeton.objects.get().pk, user_id=user.pk, nom="synchronisation", prefixe=JETON[:8],
            empreinte="x", cree_le="2026-11-30T10:00:00Z", history_date="2026-11-30T10:00:00Z", history_type="+",
        )  # fmt: skip
        # A permission granted on the old app's model follows it.
        user.user_permissions.add(Permission.objects.get(content_type__app_label="laureats", codename="view_profil"))

        _migrer(APRES)
    finally:
        _migrer_jusqu_au_bout()

    lea = get_user_model().objects.get(username="lea")
    authentifie, jeton = JetonAuthentication().authenticate_credentials(JETON)
    assert authentifie == lea and jeton.nom == "synchronisation"
    response = Client(HTTP_AUTHORIZATION=f"Token {JETON}").get("/api/v1/jetons/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert [j["nom"] for j in response.json()["results"]] == ["synchronisation"]

    profil = Profil.objects.get(user=lea)
    assert role_of(lea) == Profil.Role.PARTENAIRE
    assert profil.organisation.nom == "Association Biovallée"
    assert sorted(profil.regions.values_list("code", flat=True)) == ["84", "93"]
    assert profil.history.get().regions.get().region.code == "84"
    assert JetonAPI.history.filter(user_id=lea.pk, nom="synchronisation").count() == 1
    assert lea.has_perm("comptes.view_profil")
