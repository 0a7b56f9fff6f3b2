"""Officers add and remove partner organisations with a role, creating one on the fly if needed."""

import pytest

from laureats import services
from laureats.models import Organisation, Partenariat

pytestmark = pytest.mark.django_db

URL = "/projets/biovallee/partenaires/"
AJOUT = URL + "ajouter/"


def ajout(**data) -> dict:
    base = {"ajout-nature": "collectivite", "ajout-role": "partenaire"}
    return base | {f"ajout-{k}": v for k, v in data.items()}


def test_an_officer_adds_a_new_organisation_with_its_siren_as_a_partner(charge):
    response = charge.post(AJOUT, ajout(nom="Commune de Die", siren="212 601 132", role="financeur"))

    assert response.status_code == 302
    partenariat = Partenariat.objects.get(projet__slug="biovallee", organisation__nom="Commune de Die")
    assert partenariat.role == "financeur"
    assert partenariat.organisation.siren == "212601132" and partenariat.organisation.slug == "commune-de-die"
    record = partenariat.history.latest()
    assert record.history_user is not None and record.history_change_reason == "Partenaire ajouté : Commune de Die"


def test_an_officer_adds_an_existing_organisation(charge):
    organisation = Organisation.objects.exclude(partenariats__projet__slug="biovallee").first()
    charge.post(AJOUT, ajout(organisation=organisation.pk, role="co_porteur"))
    assert Partenariat.objects.get(projet__slug="biovallee", organisation=organisation).role == "co_porteur"


@pytest.mark.parametrize(
    ("data", "champ", "message"),
    [
        ({"nom": "Commune de Die", "siren": "1234"}, "siren", "Le SIREN compte exactement neuf chiffres."),
        ({}, "organisation", "Choisissez une organisation ou nommez-en une nouvelle."),
        ({"nom": "X", "role": "chef_de_file"}, "role", "Le projet a déjà un chef de file : « Association Biovallée »"),
    ],
)
def test_a_refused_addition_says_why_next_to_the_field(charge, data, champ, message):
    response = charge.post(AJOUT, ajout(**data))

    assert response.status_code == 200
    assert message in " ".join(response.context["ajout"].errors[champ])
    assert 'class="fr-error-text" id="id_ajout-' + champ + '-erreur"' in response.content.decode()
    assert not Organisation.objects.filter(nom__in=["Commune de Die", "X"]).exists()


def test_a_siren_already_taken_is_refused_with_the_owner_named(charge):
    services.organisation_create(nom="Régie des eaux", siren="123456782", by=None)
    response = charge.post(AJOUT, ajout(nom="Autre", siren="123456782"))
    assert response.context["ajout"].errors["siren"] == ["Ce SIREN est déjà celui de « Régie des eaux »."]


def test_the_same_organisation_cannot_be_added_twice(charge):
    lead = Organisation.objects.get(nom="Association Biovallée")
    response = charge.post(AJOUT, ajout(organisation=lead.pk))
    assert "est déjà partenaire de ce projet" in response.context["ajout"].errors["organisation"][0]


def test_an_officer_removes_a_partner_and_the_history_keeps_who_did_it(charge):
    organisation = services.organisation_create(nom="Commune de Crest", by=None)
    partenariat = services.partenariat_add(
        projet=Partenariat.objects.first().projet, organisation=organisation, role="partenaire", by=None
    )
    url = f"/projets/{partenariat.projet.slug}/partenaires/{partenariat.pk}/retirer/"

    assert charge.post(url).status_code == 302

    assert not Partenariat.objects.filter(pk=partenariat.pk).exists()
    suppression = Partenariat.history.filter(id=partenariat.pk, history_type="-").get()
    assert suppression.history_user is not None
    assert suppression.history_change_reason == "Partenaire retiré : Commune de Crest"


def test_the_lead_cannot_be_removed(charge):
    lead = Partenariat.objects.get(projet__slug="biovallee", role="chef_de_file")
    response = charge.post(f"{URL}{lead.pk}/retirer/")
    assert response.status_code == 200
    assert "est le chef de file du projet" in response.content.decode()
    assert Partenariat.objects.filter(pk=lead.pk).exists()


def test_an_officer_changes_a_role(charge):
    organisation = services.organisation_create(nom="Département de la Drôme", by=None)
    partenariat = services.partenariat_add(
        projet=Partenariat.objects.get(projet__slug="biovallee").projet, organisation=organisation,
        role="partenaire", by=None,
    )  # fmt: skip
    charge.post(f"{URL}{partenariat.pk}/role/", {"role": "financeur"})
    partenariat.refresh_from_db()
    assert partenariat.role == "financeur"


def test_a_partnership_of_another_project_is_a_404(charge):
    autre = Partenariat.objects.exclude(projet__slug="biovallee").first()
    assert charge.post(f"{URL}{autre.pk}/retirer/").status_code == 404
