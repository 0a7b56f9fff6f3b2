"""The admin corrects a fiche through the same service as the portal; the rest is read there only.

The change form is posted as a browser would post it (tests/pages/test_edition_sans_changement.py):
an unchanged save writes nothing, a change is one history row with its author and reason, a
refusal is a form error and writes nothing.
"""

import pytest

from laureats.models import Objectif, Partenariat, Projet
from tests.pages.test_edition_sans_changement import _Formulaires, envoyer

pytestmark = pytest.mark.django_db


def formulaire_de_la_fiche(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Formulaires()
    parser.feed(response.content.decode())
    (formulaire,) = [f for f in parser.formulaires if not f["action"]]
    return formulaire


def avec(formulaire: dict, **champs) -> dict:
    return {**formulaire, "champs": [(nom, champs.get(nom, valeur)) for nom, valeur in formulaire["champs"]]}


@pytest.fixture
def biovallee() -> Projet:
    return Projet.objects.get(slug="biovallee")


@pytest.fixture
def url(biovallee) -> str:
    return f"/admin/laureats/projet/{biovallee.pk}/change/"


def test_saving_a_fiche_unchanged_in_the_admin_writes_nothing(admin_client, biovallee, url):
    avant, historique = list(Projet.objects.filter(pk=biovallee.pk).values()), biovallee.history.count()

    response = envoyer(admin_client, url, formulaire_de_la_fiche(admin_client, url))

    assert response.status_code == 302
    assert list(Projet.objects.filter(pk=biovallee.pk).values()) == avant
    assert biovallee.history.count() == historique


def test_a_change_in_the_admin_is_one_history_row_with_its_author_and_reason(admin_client, admin_user, biovallee, url):
    formulaire = avec(formulaire_de_la_fiche(admin_client, url), population_concernee="70000")

    assert envoyer(admin_client, url, formulaire).status_code == 302

    record = biovallee.history.latest()
    assert (record.population_concernee, record.history_user, record.history_change_reason) == (
        70000, admin_user, "Fiche modifiée dans le portail"
    )  # fmt: skip


def test_a_value_the_service_refuses_is_a_form_error_and_writes_nothing(admin_client, biovallee, url):
    historique = biovallee.history.count()
    formulaire = avec(
        formulaire_de_la_fiche(admin_client, url),
        nb_partenaires_declares="3", nb_collectivites_declarees="4",
    )  # fmt: skip

    response = envoyer(admin_client, url, formulaire)

    assert response.status_code == 200
    assert "Les collectivités sont comptées parmi les partenaires : au plus 3." in response.content.decode()
    assert biovallee.history.count() == historique
    assert Projet.objects.get(pk=biovallee.pk).nb_partenaires_declares == biovallee.nb_partenaires_declares


def test_the_budget_is_typed_the_french_way_in_the_admin(admin_client, biovallee, url):
    formulaire = avec(formulaire_de_la_fiche(admin_client, url), budget_previsionnel="54 000 000,50")

    assert envoyer(admin_client, url, formulaire).status_code == 302
    assert str(Projet.objects.get(pk=biovallee.pk).budget_previsionnel) == "54000000.50"


def test_the_slug_and_the_lead_are_only_shown(admin_client, biovallee, url):
    formulaire = avec(formulaire_de_la_fiche(admin_client, url), slug="autre", chef_de_file="1")

    assert envoyer(admin_client, url, formulaire).status_code == 302
    projet = Projet.objects.get(pk=biovallee.pk)
    assert (projet.slug, projet.chef_de_file_id) == ("biovallee", biovallee.chef_de_file_id)


@pytest.mark.parametrize(
    "chemin",
    ["/admin/laureats/projet/add/", "/admin/laureats/partenariat/add/", "/admin/laureats/objectif/add/"],
)
def test_what_the_portal_writes_action_by_action_cannot_be_added_in_the_admin(admin_client, chemin):
    assert admin_client.get(chemin).status_code == 403


def test_partners_and_texts_are_read_in_the_admin_not_changed(admin_client):
    partenariat, objectif = Partenariat.objects.first(), Objectif.objects.first()
    avant = partenariat.role

    reponse = admin_client.post(f"/admin/laureats/partenariat/{partenariat.pk}/change/", {"role": "autre"})

    assert reponse.status_code == 403
    assert Partenariat.objects.get(pk=partenariat.pk).role == avant
    assert admin_client.get(f"/admin/laureats/objectif/{objectif.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/laureats/objectif/{objectif.pk}/delete/", {"post": "yes"}).status_code == 403
