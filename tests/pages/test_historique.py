"""Each record shows its history: who changed what, when, field by field."""

from decimal import Decimal

import pytest

from financements.models import Allocation, Enveloppe
from laureats import services
from laureats.models import Objectif, Projet
from portail.historique import dernieres_modifications, projet_historique
from territoires.models import Region
from tests import grand_livre as ledger
from tests.factories import compte

pytestmark = pytest.mark.django_db


@pytest.fixture
def modifs():
    """A few changes by an officer: the fiche, a partner, an objective, an allocation, a commitment."""
    claire = compte("charge", username="claire")
    projet = Projet.objects.get(slug="biovallee")
    services.projet_update(
        projet=projet, data={"titre": "BIOVALLÉE 2030", "region": Region.objects.get(code="27")}, by=claire
    )
    organisation = services.organisation_create(nom="Commune de Die", siren="212601132", by=claire)
    services.partenariat_add(projet=projet, organisation=organisation, role="financeur", by=claire)
    objectif = Objectif.objects.get(projet=projet, ordre=1)
    services.objectif_update(objectif=objectif, texte="Objectif corrigé", by=claire)
    allocation = Allocation.objects.get(projet=projet, enveloppe__code="subvention")
    ledger.allocation_update(allocation=allocation, montant=Decimal("6000000"), by=claire)
    ledger.engagement_create(
        projet=projet, enveloppe=Enveloppe.objects.get(code="subvention"), montant=Decimal("250000"),
        date="2024-03-01", reference="CP-1", motif="Convention", by=claire,
    )  # fmt: skip
    return projet


def test_the_project_history_names_who_changed_which_field_from_what_to_what(modifs):
    changements = projet_historique(modifs, lecteur=compte("charge"))
    fiche = next(c for c in changements if c.categorie == "Fiche du projet" and c.type == "~")

    assert fiche.auteur == "claire" and fiche.motif == "Fiche modifiée dans le portail"
    assert {(c.libelle, c.avant, c.apres) for c in fiche.champs} == {
        ("titre", "BIOVALLÉE", "BIOVALLÉE 2030"),
        ("région", "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté"),
    }
    allocation = next(c for c in changements if c.categorie == "Allocation" and c.type == "~")
    assert allocation.objet == "Subventions"
    assert [(c.avant, c.apres) for c in allocation.champs] == [("5\u202f700\u202f000\xa0€", "6\u202f000\u202f000\xa0€")]
    objectif = next(c for c in changements if c.categorie == "Objectif" and c.type == "~")
    assert objectif.objet.startswith("n° 1 : Objectif corrigé") and objectif.champs[0].apres == "Objectif corrigé"
    assert any(c.categorie == "Partenaire" and c.objet == "Commune de Die" and c.type == "+" for c in changements)
    engagement = next(c for c in changements if c.categorie == "Grand livre")
    # Written outside a request: the ledger entry's own author stands in for the history user.
    assert "CP-1" in engagement.objet and engagement.auteur == "claire"
    assert changements == sorted(changements, key=lambda c: c.date, reverse=True)


def test_the_history_page_is_for_officers_and_directors(modifs, charge, directeur, partenaire, client):
    page = charge.get("/projets/biovallee/historique/")
    assert page.status_code == 200
    texte = page.content.decode()
    assert "BIOVALLÉE 2030" in texte and "claire" in texte and "<del>" in texte
    page = directeur.get("/projets/biovallee/historique/")
    assert page.status_code == 200
    # A director reads the author's role (no full name set), not their login.
    assert "<td>claire</td>" in texte and "<td>claire</td>" not in page.content.decode()
    assert "<td>Chargé·e de programme</td>" in page.content.decode()
    assert partenaire.get("/projets/biovallee/historique/").status_code == 403
    assert client.get("/projets/biovallee/historique/").status_code == 302


def test_the_latest_changes_leave_out_the_initial_load_and_the_ledger_for_the_public(modifs):
    public = dernieres_modifications(limite=20)
    assert {c.categorie for c in public} == {"Fiche du projet", "Partenaire", "Objectif", "Allocation"}
    assert all(c.projet_titre == "BIOVALLÉE 2030" for c in public)
    fiche = next(c for c in public if c.categorie == "Fiche du projet")
    assert [c.libelle for c in fiche.champs] == ["région", "titre"]

    interne = dernieres_modifications(limite=20, avec_grand_livre=True)
    assert "Grand livre" in {c.categorie for c in interne}


def test_the_home_page_shows_the_latest_changes_with_their_author_only_to_staff(modifs, client, charge):
    public = client.get("/").content.decode()
    assert "Dernières modifications" in public and "BIOVALLÉE 2030" in public
    assert "par claire" not in public and "CP-1" not in public
    interne = charge.get("/").content.decode()
    assert "par claire" in interne and "CP-1" in interne


def test_the_history_shows_a_change_of_the_prose_around_the_objectives_under_its_french_name():
    claire = compte("charge", username="claire")
    projet = Projet.objects.get(slug="ambition-pyrenees")
    ancienne = projet.objectifs_introduction

    services.projet_objectifs_encadrement_update(
        projet=projet, introduction=ancienne, conclusion="Une phrase de clôture.", by=claire
    )

    historique = projet_historique(projet, lecteur=compte("charge"))
    (changement,) = [c for c in historique if c.categorie == "Fiche du projet" and c.type == "~"]
    assert changement.auteur == "claire"
    assert changement.motif == "Introduction ou conclusion des objectifs modifiée"
    assert [(c.libelle, c.avant, c.apres) for c in changement.champs] == [
        ("conclusion des objectifs", "—", "Une phrase de clôture.")
    ]
    assert Projet.objects.get(slug="ambition-pyrenees").objectifs_introduction == ancienne


def test_directors_read_authors_by_name_or_role_never_by_login(modifs):
    from django.contrib.auth import get_user_model

    directeur = compte("directeur")
    assert {c.auteur for c in projet_historique(modifs, lecteur=directeur)} <= {"Chargé·e de programme", None}
    get_user_model().objects.filter(username="claire").update(first_name="Claire", last_name="Martin")
    recentes = dernieres_modifications(limite=20, avec_grand_livre=True, lecteur=directeur)
    assert {c.auteur for c in recentes} == {"Claire Martin"}
