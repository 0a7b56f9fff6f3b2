"""An envelope's ceiling is corrected through enveloppe_update: never below what is committed, totals untouched."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from financements.models import Enveloppe
from tests import grand_livre as services
from tests.factories import compte
from tests.pages.test_edition_sans_changement import envoyer
from tests.test_admin_contraintes import _formulaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def engage(biovallee, subvention) -> Decimal:
    services.engagement_create(
        projet=biovallee, enveloppe=subvention, montant=Decimal("1000.00"), date="2024-03-01", reference="CP-1",
        motif="Convention", by=None,
    )  # fmt: skip
    return Enveloppe.objects.get(pk=subvention.pk).montant_engage


def test_a_ceiling_equal_to_what_is_committed_is_accepted_with_its_author_and_reason(subvention, engage):
    agent = compte("charge")

    services.enveloppe_update(enveloppe=subvention, data={"plafond": engage}, by=agent)

    subvention.refresh_from_db()
    record = subvention.history.latest()
    assert (subvention.plafond, subvention.montant_engage) == (engage, engage)
    assert (record.plafond, record.history_user, record.history_change_reason) == (engage, agent, "Enveloppe modifiée")


def test_a_ceiling_a_cent_below_what_is_committed_is_refused_on_its_field(subvention, engage):
    plafond, historique = subvention.plafond, subvention.history.count()

    with pytest.raises(ValidationError) as refus:
        services.enveloppe_update(enveloppe=subvention, data={"plafond": engage - Decimal("0.01")}, by=None)

    assert list(refus.value.message_dict) == ["plafond"]
    assert "engagés sur cette enveloppe : le plafond ne peut être inférieur." in refus.value.message_dict["plafond"][0]
    subvention.refresh_from_db()
    assert (subvention.plafond, subvention.history.count()) == (plafond, historique)


@pytest.mark.parametrize(("plafond", "message"), [("0", "strictement positif"), ("1.001", "deux décimales")])
def test_a_ceiling_that_is_no_amount_is_refused(subvention, plafond, message):
    with pytest.raises(ValidationError) as refus:
        services.enveloppe_update(enveloppe=subvention, data={"plafond": Decimal(plafond)}, by=None)
    assert message in refus.value.message_dict["plafond"][0]


def test_the_totals_and_the_code_are_not_the_services_to_correct(subvention):
    with pytest.raises(ValidationError) as refus:
        services.enveloppe_update(enveloppe=subvention, data={"montant_engage": Decimal("0"), "code": "x"}, by=None)
    assert "Champs non modifiables : code, montant_engage." in refus.value.messages


def test_saving_an_envelope_unchanged_writes_nothing(subvention):
    historique = subvention.history.count()
    modifie_le = subvention.modifie_le

    services.enveloppe_update(
        enveloppe=subvention,
        data={
            "libelle": subvention.libelle,
            "plafond": subvention.plafond,
            "plafonne_par_projet": subvention.plafonne_par_projet,
        },  # fmt: skip
        by=None,
    )

    subvention.refresh_from_db()
    assert (subvention.history.count(), subvention.modifie_le) == (historique, modifie_le)


def test_a_new_ceiling_leaves_the_totals_the_ledger_wrote(subvention, engage):
    # The caller's copy predates the commitment: its totals are stale and must not be written back.
    perime = Enveloppe.objects.get(pk=subvention.pk)
    perime.montant_engage = Decimal("0.00")

    services.enveloppe_update(enveloppe=perime, data={"plafond": perime.plafond + 1}, by=None)

    assert Enveloppe.objects.get(pk=subvention.pk).montant_engage == engage


def test_the_admin_shows_the_code_of_an_existing_envelope_without_letting_it_change(admin_client, subvention):
    url = f"/admin/financements/enveloppe/{subvention.pk}/change/"
    reponse = admin_client.post(
        url,
        {
            "code": "investissement",
            "libelle": "Subventions du PIA",
            "plafond": "150 000 000",
            "plafonne_par_projet": "on",
        },  # fmt: skip
    )

    assert reponse.status_code == 302
    subvention.refresh_from_db()
    assert (subvention.code, subvention.libelle, subvention.plafond) == (
        "subvention", "Subventions du PIA", Decimal("150000000.00"),
    )  # fmt: skip
    assert subvention.history.latest().history_change_reason == "Enveloppe modifiée"


def test_a_ceiling_changed_through_the_admins_own_form_changes_nothing_else(admin_client, subvention, engage):
    url = f"/admin/financements/enveloppe/{subvention.pk}/change/"

    assert envoyer(admin_client, url, _formulaire(admin_client, url, {"plafond": "1 000,00"})).status_code == 302

    apres = Enveloppe.objects.get(pk=subvention.pk)
    assert (apres.plafond, apres.montant_engage) == (Decimal("1000.00"), engage)
    assert (apres.code, apres.libelle, apres.plafonne_par_projet) == ("subvention", "Subventions", True)
