"""The admin shows an organisation's establishments and holds its SIREN to the same rules as the portal."""

import pytest

from laureats import services
from laureats.models import Organisation
from tests.laureats.test_admin_fiche import avec, formulaire_de_la_fiche
from tests.pages.test_edition_sans_changement import envoyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def dijon() -> Organisation:
    organisation = Organisation.objects.get(slug="dijon-metropole")
    services.etablissement_create(organisation=organisation, siret="55210055400013", libelle="Siège", by=None)
    return organisation


def test_the_change_page_lists_the_establishments_read_only(admin_client, dijon):
    page = admin_client.get(f"/admin/laureats/organisation/{dijon.pk}/change/").content.decode()

    assert "55210055400013" in page and "Siège" in page
    assert 'name="etablissements-0-siret"' not in page


@pytest.mark.parametrize(
    ("siren", "message"),
    [
        ("242100410", "n'appartient pas au SIREN 242 100 410"),
        ("552100555", "Clé de contrôle du SIREN invalide"),
    ],
)
def test_a_siren_the_admin_would_make_inconsistent_or_wrong_is_a_form_error(admin_client, dijon, siren, message):
    url = f"/admin/laureats/organisation/{dijon.pk}/change/"

    reponse = envoyer(admin_client, url, avec(formulaire_de_la_fiche(admin_client, url), siren=siren))

    assert reponse.status_code == 200
    assert message in " ".join(reponse.context["adminform"].form.errors["siren"])
    dijon.refresh_from_db()
    assert dijon.siren == ""


def test_the_siren_of_the_establishments_is_accepted(admin_client, dijon):
    url = f"/admin/laureats/organisation/{dijon.pk}/change/"

    reponse = envoyer(admin_client, url, avec(formulaire_de_la_fiche(admin_client, url), siren="552100554"))

    assert reponse.status_code == 302
    dijon.refresh_from_db()
    assert dijon.siren == "552100554"
