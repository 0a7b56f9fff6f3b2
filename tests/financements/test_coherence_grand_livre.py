"""Ledger sanity: dates within the programme and after what they follow, references unique per envelope.

Each rule is checked in the service, through the API (400 with the field, 409
for a ceiling), through the HTML forms (error next to the field) and, on
PostgreSQL, in the database itself for a write that bypasses the service.

A subsidy is committed by signing a convention and paid tranche by tranche
(tests/grand_livre.py writes them so at the service level); the API's and the
forms' commitment and payment endpoints, and the rows written straight to the
database, are checked here on the equity envelope, where the same rules hold.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from financements.models import Allocation, Engagement, Enveloppe, Versement
from tests import grand_livre as services
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
JOUR = datetime.date(2024, 3, 1)
DESIGNATION = datetime.date(2019, 9, 13)
NNBSP = "\u202f"  # the thousands separator of the services' amounts
FONDS_PROPRES = "Investissement en fonds propres (investissement avisé)"


def aujourdhui() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def investissement() -> Enveloppe:
    return Enveloppe.objects.get(code="investissement")


@pytest.fixture
def api() -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('charge'))}")


@pytest.fixture
def portail() -> Client:
    client = Client()
    client.force_login(compte("charge"))
    return client


def engager(projet, enveloppe, *, montant="1000000.00", date=JOUR, reference="CP-1") -> Engagement:
    return services.engagement_create(
        projet=projet, enveloppe=enveloppe, montant=Decimal(montant), date=date, reference=reference,
        motif="Convention signée", by=None,
    )  # fmt: skip


def verser(engagement, *, montant="100.00", date=JOUR, reference="V-1") -> Versement:
    return services.versement_create(
        engagement=engagement, montant=Decimal(montant), date=date, reference=reference, by=None
    )


def api_engager(client, **data):
    body = {
        "projet": "biovallee", "enveloppe": "investissement", "montant": "1000.00", "date": "2024-03-01",
        "reference": "CP-API", "motif": "Convention", **data,
    }  # fmt: skip
    return client.post("/api/v1/engagements/", body, content_type="application/json")


def api_verser(client, engagement, **data):
    body = {"engagement": str(engagement.uid), "montant": "100.00", "date": "2024-03-01", "reference": "V-API", **data}
    return client.post("/api/v1/versements/", body, content_type="application/json")


def html_engager(client, slug="biovallee", **data):
    # `confirmer` is the second step of the ledger forms; the rules hold at either step.
    body = {
        "enveloppe": "investissement", "montant": "1000.00", "date": "2024-03-01", "reference": "CP-HTML",
        "motif": "Convention", "confirmer": "1", **data,
    }  # fmt: skip
    return client.post(f"/projets/{slug}/engagements/nouveau/", body)


def html_verser(client, engagement, **data):
    body = {"montant": "100.00", "date": "2024-03-01", "reference": "V-HTML", "motif": "", "confirmer": "1", **data}
    return client.post(f"/engagements/{engagement.uid}/versement/", body)


def erreurs(response, champ: str) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors.get(champ, []))


# --- Dates: from the designation of the laureates to today -----------------------------


def test_the_programme_start_is_a_setting_equal_to_the_designation_of_the_laureates(settings):
    assert settings.PROGRAMME_DATE_DESIGNATION == DESIGNATION


def test_a_commitment_dated_the_day_of_the_designation_or_today_is_accepted(biovallee, subvention):
    premier = engager(biovallee, subvention, date=DESIGNATION, reference="CP-1")
    dernier = engager(biovallee, subvention, date=aujourdhui(), reference="CP-2")

    assert (premier.date, dernier.date) == (DESIGNATION, aujourdhui())


def test_it_refuses_a_commitment_dated_the_day_before_the_designation(biovallee, subvention):
    with pytest.raises(ValidationError) as excinfo:
        engager(biovallee, subvention, date=datetime.date(2019, 9, 12))

    # A subsidy's commitment is dated by its convention's signature.
    assert excinfo.value.message_dict["date_signature"] == [
        "Le programme commence le 13/09/2019 avec la désignation des lauréats : "
        "aucune écriture ne peut être datée du 12/09/2019."
    ]
    assert not Engagement.objects.exists()
    assert Enveloppe.objects.get(code="subvention").montant_engage == 0


def test_it_refuses_a_commitment_dated_tomorrow(biovallee, subvention):
    demain = aujourdhui() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        engager(biovallee, subvention, date=demain)

    assert excinfo.value.message_dict["date_signature"] == [
        f"Une écriture ne peut pas être datée dans le futur : {demain:%d/%m/%Y}, "
        f"nous sommes le {aujourdhui():%d/%m/%Y}."
    ]
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("date", ["2015-06-01", "2019-09-12", "2031-01-01"])
def test_the_api_refuses_a_commitment_outside_the_programme_with_a_date_field_message(api, date):
    response = api_engager(api, date=date)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["date"]
    assert not Engagement.objects.exists()


def test_the_api_accepts_a_commitment_on_the_first_day_and_today(api):
    assert api_engager(api, date="2019-09-13", reference="A").status_code == 201
    assert api_engager(api, date=aujourdhui().isoformat(), reference="B").status_code == 201
    demain = aujourdhui() + datetime.timedelta(days=1)
    assert api_engager(api, date=demain.isoformat(), reference="C").status_code == 400


@pytest.mark.parametrize("date", ["2015-06-01", "2019-09-12", "2031-01-01"])
def test_the_portal_form_shows_a_date_outside_the_programme_next_to_the_date(portail, date):
    message = erreurs(html_engager(portail, date=date), "date")

    assert "commence le 13/09/2019" in message or "dans le futur" in message
    assert not Engagement.objects.exists()


def test_the_portal_form_accepts_the_first_day_and_today(portail):
    assert html_engager(portail, date="2019-09-13", reference="A").status_code == 302
    assert html_engager(portail, date=aujourdhui().isoformat(), reference="B").status_code == 302
    demain = aujourdhui() + datetime.timedelta(days=1)
    assert "dans le futur" in erreurs(html_engager(portail, date=demain.isoformat(), reference="C"), "date")
    assert set(Engagement.objects.values_list("reference", flat=True)) == {"A", "B"}
    assert set(Engagement.objects.values_list("enveloppe__code", flat=True)) == {"investissement"}


# --- An entry never precedes what it pays, releases or reverses -------------------------


def test_it_refuses_a_disbursement_dated_before_its_commitment_and_accepts_the_same_day(biovallee, subvention):
    engagement = engager(biovallee, subvention, date=JOUR)

    with pytest.raises(ValidationError) as excinfo:
        verser(engagement, date=JOUR - datetime.timedelta(days=1))
    assert excinfo.value.message_dict["date"] == [
        "Un versement paie l'engagement CP-1, qui est daté du 01/03/2024 : l'écriture ne peut pas le précéder."
    ]
    assert verser(engagement, date=JOUR).date == JOUR
    assert Versement.objects.count() == 1
    assert Allocation.objects.get(projet=biovallee, enveloppe=subvention).montant_verse == Decimal("100.00")


def test_it_refuses_a_release_dated_before_its_commitment(biovallee, investissement):
    engagement = engager(biovallee, investissement, date=JOUR)

    with pytest.raises(ValidationError) as excinfo:
        services.desengagement_create(
            engagement=engagement, montant=Decimal("1.00"), date=datetime.date(2024, 2, 29), reference="D-1",
            motif="Abandon", by=None,
        )  # fmt: skip
    assert excinfo.value.message_dict["date"] == [
        "Un désengagement libère l'engagement CP-1, qui est daté du 01/03/2024 : l'écriture ne peut pas le précéder."
    ]
    assert Engagement.objects.count() == 1


def test_it_refuses_a_reversal_dated_before_its_disbursement(biovallee, subvention):
    versement = verser(engager(biovallee, subvention), date=datetime.date(2024, 4, 1))

    with pytest.raises(ValidationError) as excinfo:
        services.versement_cancel(
            versement=versement, montant=Decimal("1.00"), date=datetime.date(2024, 3, 31), reference="A-1",
            motif="Trop-perçu", by=None,
        )  # fmt: skip
    assert excinfo.value.message_dict["date"] == [
        "Une annulation porte sur le versement V-1, qui est daté du 01/04/2024 : l'écriture ne peut pas le précéder."
    ]
    assert Versement.objects.count() == 1


def test_the_api_refuses_a_disbursement_before_its_commitment_with_a_date_field_message(api, biovallee, investissement):
    engagement = engager(biovallee, investissement, date=JOUR)

    response = api_verser(api, engagement, date="2024-02-29")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "date": [
            "Un versement paie l'engagement CP-1, qui est daté du 01/03/2024 : l'écriture ne peut pas le précéder."
        ]
    }
    assert api_verser(api, engagement, date="2024-03-01").status_code == 201


def test_the_api_refuses_a_release_and_a_reversal_before_what_they_follow(api, biovallee, investissement):
    engagement = engager(biovallee, investissement, date=JOUR)
    versement = verser(engagement, date=datetime.date(2024, 4, 1))
    corps = {"montant": "1.00", "date": "2024-02-29", "reference": "R-1", "motif": "Motif"}

    liberation = api.post(f"/api/v1/engagements/{engagement.uid}/desengagements/", corps, "application/json")
    annulation = api.post(f"/api/v1/versements/{versement.uid}/annulations/", corps, "application/json")

    assert (liberation.status_code, list(liberation.json()["errors"])) == (400, ["date"])
    assert (annulation.status_code, list(annulation.json()["errors"])) == (400, ["date"])


def test_the_portal_form_refuses_a_disbursement_before_its_commitment(portail, biovallee, investissement):
    engagement = engager(biovallee, investissement, date=JOUR)

    message = erreurs(html_verser(portail, engagement, date="2024-02-29"), "date")

    assert (
        message
        == "Un versement paie l'engagement CP-1, qui est daté du 01/03/2024 : l'écriture ne peut pas le précéder."
    )
    assert not Versement.objects.exists()
    assert html_verser(portail, engagement, date="2024-03-01").status_code == 302


# --- A reference names one entry in its envelope ----------------------------------------


def test_it_refuses_a_commitment_reference_already_used_in_the_envelope_and_names_the_first(
    biovallee, vilagil, subvention
):
    engager(biovallee, subvention, montant="1000000.00", reference="CP-1")

    with pytest.raises(ValidationError) as excinfo:
        engager(vilagil, subvention, montant="5.00", date=datetime.date(2024, 6, 1), reference="CP-1")

    assert excinfo.value.message_dict["reference"] == [
        f"La référence CP-1 est déjà utilisée dans l'enveloppe Subventions : engagement du 01/03/2024 sur "
        f"{biovallee.titre}, 1{NNBSP}000{NNBSP}000,00 €."
    ]
    assert Engagement.objects.count() == 1
    assert Allocation.objects.get(projet=vilagil, enveloppe=subvention).montant_engage == 0
    assert Enveloppe.objects.get(code="subvention").montant_engage == Decimal("1000000.00")


def test_a_release_cannot_reuse_a_reference_of_the_envelope(biovallee, subvention):
    engagement = engager(biovallee, subvention, reference="CP-1")

    with pytest.raises(ValidationError) as excinfo:
        services.desengagement_create(
            engagement=engagement, montant=Decimal("1.00"), date=JOUR, reference="CP-1", motif="Abandon", by=None
        )
    assert "La référence CP-1 est déjà utilisée" in excinfo.value.message_dict["reference"][0]


def test_the_same_reference_is_free_in_the_other_envelope(biovallee):
    engager(biovallee, Enveloppe.objects.get(code="subvention"), reference="CP-1")
    engager(biovallee, Enveloppe.objects.get(code="investissement"), reference="CP-1")

    assert Engagement.objects.filter(reference="CP-1").count() == 2


def test_it_refuses_a_disbursement_reference_already_used_in_the_envelope_and_names_the_first(
    biovallee, vilagil, subvention
):
    premier = verser(engager(biovallee, subvention, reference="CP-1"), montant="400000.00", reference="V-1")
    autre = engager(vilagil, subvention, reference="CP-2")

    with pytest.raises(ValidationError) as excinfo:
        verser(autre, montant="1.00", reference="V-1")

    assert excinfo.value.message_dict["reference"] == [
        f"La référence V-1 est déjà utilisée dans l'enveloppe Subventions : versement du 01/03/2024 sur "
        f"{biovallee.titre} (engagement CP-1), 400{NNBSP}000,00 €."
    ]
    assert list(Versement.objects.values_list("pk", flat=True)) == [premier.pk]
    assert Enveloppe.objects.get(code="subvention").montant_verse == Decimal("400000.00")


def test_a_reversal_cannot_reuse_a_disbursement_reference_of_the_envelope(biovallee, subvention):
    versement = verser(engager(biovallee, subvention), reference="V-1")

    with pytest.raises(ValidationError) as excinfo:
        services.versement_cancel(
            versement=versement, montant=Decimal("1.00"), date=JOUR, reference="V-1", motif="Erreur", by=None
        )
    assert "La référence V-1 est déjà utilisée" in excinfo.value.message_dict["reference"][0]


def test_the_api_refuses_a_reused_reference_with_a_reference_field_message(api, biovallee, vilagil, investissement):
    engagement = engager(biovallee, investissement, reference="CP-1")
    verser(engagement, reference="V-1")

    commitment = api_engager(api, projet="vilagil", reference="CP-1")
    disbursement = api_verser(api, engagement, reference="V-1")

    assert commitment.status_code == 400
    assert commitment.json()["errors"]["reference"][0].startswith(
        f"La référence CP-1 est déjà utilisée dans l'enveloppe {FONDS_PROPRES}"
    )
    assert disbursement.status_code == 400
    assert disbursement.json()["errors"]["reference"][0].startswith(
        f"La référence V-1 est déjà utilisée dans l'enveloppe {FONDS_PROPRES}"
    )
    assert (Engagement.objects.count(), Versement.objects.count()) == (1, 1)


def test_the_portal_form_refuses_a_reused_reference_next_to_the_reference(portail, biovallee, investissement):
    engagement = engager(biovallee, investissement, reference="CP-1")
    verser(engagement, reference="V-1")

    commitment = erreurs(html_engager(portail, slug="vilagil", reference="CP-1"), "reference")
    disbursement = erreurs(html_verser(portail, engagement, reference="V-1"), "reference")

    assert commitment.startswith(
        f"La référence CP-1 est déjà utilisée dans l'enveloppe {FONDS_PROPRES} : engagement du"
    )
    assert disbursement.startswith(
        f"La référence V-1 est déjà utilisée dans l'enveloppe {FONDS_PROPRES} : versement du"
    )
    assert (Engagement.objects.count(), Versement.objects.count()) == (1, 1)


# --- Ceilings, on both sides of the boundary --------------------------------------------


def test_a_convention_of_exactly_the_planned_subsidy_is_accepted_and_one_cent_more_is_refused(biovallee, subvention):
    # Through the API and the forms, a subsidy is committed by the conventions' endpoints (tested with them).
    prevue = Allocation.objects.get(projet=biovallee, enveloppe__code="subvention").montant
    assert prevue == Decimal("5700000.00")

    with pytest.raises(services.PlafondDepasse) as excinfo:
        engager(biovallee, subvention, montant=f"{prevue + Decimal('0.01')}", reference="CP-TROP")
    assert excinfo.value.reste == Decimal("5700000.00")
    assert f"il reste 5{NNBSP}700{NNBSP}000,00 €" in str(excinfo.value)
    engager(biovallee, subvention, montant=f"{prevue}", reference="CP-JUSTE")

    assert Allocation.objects.get(projet=biovallee, enveloppe__code="subvention").montant_engage == prevue
    assert list(biovallee.conventions.values_list("reference", "montant")) == [("CP-JUSTE", prevue)]


def test_a_commitment_of_exactly_the_envelope_ceiling_is_accepted_and_one_cent_more_is_a_409(api):
    Enveloppe.objects.filter(code="investissement").update(plafond=Decimal("1000000.00"))

    trop = api_engager(api, montant="1000000.01", reference="CP-TROP")
    juste = api_engager(api, montant="1000000.00", reference="CP-JUSTE")

    assert trop.status_code == 409 and trop.json()["reste_disponible"] == "1000000.00"
    assert juste.status_code == 201
    enveloppe = Enveloppe.objects.get(code="investissement")
    assert enveloppe.montant_engage == enveloppe.plafond == Decimal("1000000.00")


def test_the_portal_form_takes_the_envelope_ceiling_exactly_and_refuses_one_cent_more(portail):
    Enveloppe.objects.filter(code="investissement").update(plafond=Decimal("1000000.00"))

    trop = erreurs(html_engager(portail, montant="1000000.01", reference="CP-TROP"), "montant")

    assert f"il reste 1{NNBSP}000{NNBSP}000,00 € à engager" in trop
    assert html_engager(portail, montant="1000000.00", reference="CP-JUSTE").status_code == 302
    assert Enveloppe.objects.get(code="investissement").montant_engage == Decimal("1000000.00")


def test_a_disbursement_of_exactly_the_rest_to_pay_is_accepted_and_one_cent_more_refused(
    api, portail, biovallee, investissement
):
    engagement = engager(biovallee, investissement, montant="1000.00")
    verser(engagement, montant="300.00", reference="V-0")
    # Left to pay: 1 000.00 − 300.00.
    reste = Decimal("1000.00") - Decimal("300.00")

    refus_api = api_verser(api, engagement, montant=f"{reste + Decimal('0.01')}", reference="V-API")
    refus_html = erreurs(html_verser(portail, engagement, montant=f"{reste + Decimal('0.01')}"), "montant")
    accepte = api_verser(api, engagement, montant=f"{reste}", reference="V-API")

    assert refus_api.status_code == 409 and refus_api.json()["reste_disponible"] == "700.00"
    assert "il reste 700,00 €" in refus_html
    assert accepte.status_code == 201
    assert Allocation.objects.get(projet=biovallee, enveloppe=investissement).montant_verse == Decimal("1000.00")


# --- The database refuses what bypasses the service (PostgreSQL) ------------------------


def entree(model, **champs):
    """A ledger row written straight to the database, as a script or a bulk import would."""
    if model is Engagement:
        allocation = Allocation.objects.get(projet=champs["projet"], enveloppe=champs["enveloppe"])
        defaults = {
            "allocation": allocation, "montant": Decimal("1.00"), "date": JOUR, "reference": f"SQL-{uuid.uuid4()}",
            "motif": "Écrit hors service", "engage_projet_avant": 0, "engage_projet_apres": 1,
        }  # fmt: skip
    else:
        defaults = {
            "montant": Decimal("1.00"), "date": JOUR, "reference": f"SQL-{uuid.uuid4()}",
            "verse_engagement_avant": 0, "verse_engagement_apres": 1,
        }  # fmt: skip
    return model.objects.create(**{**defaults, **champs})


def test_the_database_refuses_an_entry_before_the_designation(postgresql, biovallee, investissement):
    entree(Engagement, projet=biovallee, enveloppe=investissement, date=DESIGNATION)
    with pytest.raises(IntegrityError, match="engagement_date_depuis_designation"), transaction.atomic():
        entree(Engagement, projet=biovallee, enveloppe=investissement, date=datetime.date(2019, 9, 12))


def test_the_database_refuses_an_entry_dated_tomorrow_in_paris_whatever_the_session_time_zone(
    postgresql, biovallee, investissement
):
    demain = aujourdhui() + datetime.timedelta(days=1)
    for fuseau in ("Pacific/Kiritimati", "Etc/GMT+12"):  # UTC+14 and UTC−12
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL TIME ZONE %s", [fuseau])
            entree(Engagement, projet=biovallee, enveloppe=investissement, date=aujourdhui())
            with pytest.raises(IntegrityError, match="dans le futur"), transaction.atomic():
                entree(Engagement, projet=biovallee, enveloppe=investissement, date=demain)


def test_the_database_refuses_entries_before_what_they_follow(postgresql, biovallee, investissement):
    engagement = entree(Engagement, projet=biovallee, enveloppe=investissement, date=JOUR)
    versement = entree(Versement, engagement=engagement, date=datetime.date(2024, 4, 1))
    veille = datetime.date(2024, 2, 29)

    with pytest.raises(IntegrityError, match="Versement daté du 2024-02-29 avant"), transaction.atomic():
        entree(Versement, engagement=engagement, date=veille)
    with pytest.raises(IntegrityError, match="Désengagement daté du 2024-02-29 avant"), transaction.atomic():
        entree(
            Engagement, projet=biovallee, enveloppe=investissement, nature="desengagement",
            engagement_origine=engagement, date=veille, engage_projet_avant=1, engage_projet_apres=0,
        )  # fmt: skip
    with pytest.raises(IntegrityError, match="Annulation datée du 2024-03-31 avant"), transaction.atomic():
        entree(
            Versement, engagement=engagement, nature="annulation", versement_origine=versement,
            motif="Erreur", date=datetime.date(2024, 3, 31),
        )  # fmt: skip
    assert Versement.objects.count() == 1


def test_the_database_refuses_a_reference_twice_in_an_envelope(
    postgresql, biovallee, vilagil, investissement, subvention
):
    premier = entree(Engagement, projet=biovallee, enveloppe=investissement, reference="CP-1")
    second = entree(Engagement, projet=vilagil, enveloppe=investissement, reference="CP-2")
    entree(Versement, engagement=premier, reference="V-1")
    # Another envelope is another series of references (a subsidy: under a convention).
    engager(biovallee, subvention, reference="CP-1")

    with pytest.raises(IntegrityError, match="engagement_reference_unique"), transaction.atomic():
        entree(Engagement, projet=vilagil, enveloppe=investissement, reference="CP-1")
    with pytest.raises(IntegrityError, match="V-1 déjà utilisée"), transaction.atomic():
        entree(Versement, engagement=second, reference="V-1")
