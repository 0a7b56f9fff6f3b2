"""Officers correct a fiche in the portal, through portail.services.fiche_update; others cannot."""

from decimal import Decimal

import pytest

from financements.models import Allocation
from laureats.models import Projet

pytestmark = pytest.mark.django_db

URL = "/projets/biovallee/modifier/"


def formulaire(**changes) -> dict:
    """The edit form as the page sends it, filled with Biovallée's current values."""
    projet = Projet.objects.get(slug="biovallee")
    data = {
        "titre": projet.titre, "intitule_sommaire": projet.intitule_sommaire, "region": projet.region_id,
        "chef_de_file_libelle": projet.chef_de_file_libelle, "partenaires_libelle": projet.partenaires_libelle,
        "nb_partenaires_declares": projet.nb_partenaires_declares,
        "nb_collectivites_declarees": projet.nb_collectivites_declarees,
        "population_libelle": projet.population_libelle, "population_concernee": projet.population_concernee,
        "ambition": projet.ambition, "budget_previsionnel": "53 000 000,00",
        "subvention": "5 700 000,00", "investissement": "12800000.00",
    }  # fmt: skip
    data.update(changes)
    return data


def test_an_officer_changes_the_title_and_the_budget_in_french_notation(charge):
    response = charge.post(URL, formulaire(titre="BIOVALLÉE (corrigé)", budget_previsionnel="53 500 000,50"))

    assert response.status_code == 302 and response["Location"] == "/projets/biovallee/"
    projet = Projet.objects.get(slug="biovallee")
    assert projet.titre == "BIOVALLÉE (corrigé)"
    assert projet.budget_previsionnel == Decimal("53500000.50")
    dernier = projet.history.latest()
    assert dernier.history_user.profil.role == "charge"
    assert dernier.history_change_reason == "Fiche modifiée dans le portail"


def test_saving_an_unchanged_form_writes_no_history(charge):
    avant = Projet.history.count()
    assert charge.post(URL, formulaire()).status_code == 302
    assert Projet.history.count() == avant


def test_the_planned_subsidy_is_changed_through_the_ledger_service(charge):
    charge.post(URL, formulaire(subvention="6 000 000"))

    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe__code="subvention")
    assert allocation.montant == Decimal("6000000.00")
    assert allocation.history.latest().history_user is not None


def test_refusals_come_back_in_french_next_to_their_field(charge):
    response = charge.post(
        URL, formulaire(titre="", nb_collectivites_declarees=40, budget_previsionnel="12,345", subvention="beaucoup")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "fr-input-group--error" in page and 'aria-describedby="id_titre-aide id_titre-erreur"' in page
    errors = response.context["form"].errors
    assert errors["titre"] == ["Ce champ est obligatoire."]
    assert "Saisissez un montant en euros" in errors["subvention"][0]
    assert "pas plus de 2 chiffres après la virgule" in errors["budget_previsionnel"][0]
    assert Projet.objects.get(slug="biovallee").titre == "BIOVALLÉE"


def test_the_service_explains_a_constraint_next_to_the_field(charge):
    response = charge.post(URL, formulaire(nb_collectivites_declarees=40))

    assert response.status_code == 200
    assert response.context["form"].errors["nb_collectivites_declarees"] == [
        "Les collectivités sont comptées parmi les partenaires : au plus 29."
    ]


def test_an_empty_budget_is_kept_empty_as_in_the_fiche(charge):
    charge.post(URL, formulaire(budget_previsionnel=""))
    assert Projet.objects.get(slug="biovallee").budget_previsionnel is None


@pytest.mark.parametrize("role", ["directeur", "partenaire"])
def test_directors_and_partners_get_a_403_on_the_edit_pages(role, request):
    client = request.getfixturevalue(role)
    for url in (URL, "/projets/biovallee/partenaires/", "/projets/biovallee/objectifs/modifier/",
                "/projets/biovallee/impacts/modifier/"):  # fmt: skip
        assert client.get(url).status_code == 403
        assert client.post(url, formulaire()).status_code == 403
    assert Projet.objects.get(slug="biovallee").titre == "BIOVALLÉE"


def actions(projet: Projet) -> list[str]:
    """Every edit action of the project's pages, each posting to a view of its own."""
    partenariat, objectif = projet.partenariats.first(), projet.objectifs.first()
    base = f"/projets/{projet.slug}"
    return [
        f"{base}/partenaires/ajouter/", f"{base}/partenaires/{partenariat.pk}/role/",
        f"{base}/partenaires/{partenariat.pk}/retirer/", f"{base}/objectifs/ajouter/",
        f"{base}/objectifs/{objectif.pk}/modifier/", f"{base}/objectifs/{objectif.pk}/haut/",
        f"{base}/objectifs/{objectif.pk}/bas/", f"{base}/objectifs/{objectif.pk}/supprimer/",
        f"{base}/objectifs/encadrement/",
    ]  # fmt: skip


@pytest.mark.parametrize("role", ["directeur", "partenaire"])
def test_directors_and_partners_get_a_403_on_each_edit_action(role, request):
    client = request.getfixturevalue(role)
    projet = Projet.objects.get(slug="biovallee")
    for url in actions(projet):
        assert (
            client.post(url, {"role": "financeur", "ajout-texte": "X", "objectifs_introduction": "X"}).status_code
            == 403
        )


def test_an_edit_action_answers_a_post_only(charge):
    for url in actions(Projet.objects.get(slug="biovallee")):
        assert charge.get(url).status_code == 405


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == f"/connexion/?next={URL}"


def test_an_unknown_project_is_a_404(charge):
    assert charge.get("/projets/inexistant/modifier/").status_code == 404
    assert charge.get("/projets/biovallee/autres/modifier/").status_code == 404


@pytest.mark.parametrize(("role", "voit"), [("charge", True), ("directeur", False), ("partenaire", False)])
def test_only_officers_see_edit_controls_on_the_project_page(role, voit, request):
    page = request.getfixturevalue(role).get("/projets/biovallee/").content.decode()
    assert ("Modifier la fiche" in page) is voit
    assert ("/projets/biovallee/partenaires/" in page) is voit
    assert ("/projets/biovallee/objectifs/modifier/" in page) is voit


def test_the_public_sees_financing_totals_and_chart_but_not_the_ledger(client):
    page = client.get("/projets/biovallee/").content.decode()
    assert "Allocations de la fiche et suivi" in page
    assert "Engagements et versements dans le temps" in page
    assert "Grand livre du projet" not in page and "Historique des modifications" not in page
