"""Measures you can trust: a value within its unit's domain, one kept value per indicator and date.

Checked in the service (through the API: 400 with the field), in the portal's
target form (a unit change that would leave a value outside) and, on
PostgreSQL, in the database for a write that bypasses the service.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from indicateurs import services
from indicateurs.models import Indicateur, Mesure
from tests.indicateurs.factories import compte, entetes

pytestmark = pytest.mark.django_db

URL = "/api/v1/mesures/"
PART = "biovallee-part-agriculture-bio"  # % (a share), target 80
EVOLUTION = "biovallee-consommation-energie-vallee"  # % since the baseline (mode relatif), target −50
KWH = "biovallee-production-energie-locale"  # kWh, from 178 to 790


@pytest.fixture
def partenaire():
    return compte("partenaire")  # Association Biovallée leads Biovallée


def soumettre(client, user, code, valeur, date="2024-12-31"):
    corps = {"indicateur": code, "date": date, "valeur": valeur, "source": "Observatoire régional"}
    return client.post(URL, corps, content_type="application/json", **entetes(user))


def mesure(code, valeur, *, date=datetime.date(2024, 12, 31), statut=Mesure.Statut.SOUMISE) -> Mesure:
    """A measurement written straight to the table, as a script or a bulk import would."""
    decision = {} if statut == Mesure.Statut.SOUMISE else {"decision_le": timezone.now(), "commentaire": "Décidée"}
    return Mesure.objects.create(
        indicateur=Indicateur.objects.get(code=code), date=date, valeur=Decimal(valeur), source="Relevé",
        statut=statut, **decision,
    )  # fmt: skip


# --- The domain of each unit -------------------------------------------------------------


def test_the_fixture_units_map_to_their_domains():
    from indicateurs.models import domaine  # noqa: PLC0415 - the one test of the function itself

    assert domaine(unite="%", mode="absolu").minimum == Decimal("0")
    assert domaine(unite="%", mode="absolu").maximum == Decimal("100")
    assert (domaine(unite="%", mode="relatif").minimum, domaine(unite="%", mode="relatif").maximum) == (
        Decimal("-100"),
        None,
    )
    assert (domaine(unite="emplois", mode="absolu").minimum, domaine(unite="emplois", mode="absolu").maximum) == (
        Decimal("0"),
        None,
    )


@pytest.mark.parametrize("valeur", ["0", "100", "57.25"])
def test_a_share_between_0_and_100_is_accepted(api_client, partenaire, valeur):
    response = soumettre(api_client, partenaire, PART, valeur)

    assert response.status_code == 201
    assert Mesure.objects.get(uid=response.json()["uid"]).valeur == Decimal(valeur)


@pytest.mark.parametrize(
    ("valeur", "texte"), [("150", "150"), ("100.0001", "100,0001"), ("-0.5", "-0,5")]
)  # fmt: skip
def test_a_share_outside_0_to_100_is_a_400_on_the_value(api_client, partenaire, valeur, texte):
    response = soumettre(api_client, partenaire, PART, valeur)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "valeur": [f"Une part en % est comprise entre 0 et 100 : {texte} est impossible."]
    }
    assert not Mesure.objects.exists()


def test_an_evolution_may_rise_without_bound_and_not_fall_below_minus_100(api_client, partenaire):
    assert soumettre(api_client, partenaire, EVOLUTION, "-100", date="2023-12-31").status_code == 201
    assert soumettre(api_client, partenaire, EVOLUTION, "2400", date="2024-06-30").status_code == 201

    response = soumettre(api_client, partenaire, EVOLUTION, "-100.5")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "valeur": ["Une évolution en % depuis la référence ne descend pas sous −100 % : -100,5 est impossible."]
    }
    assert Mesure.objects.count() == 2


def test_a_count_or_an_amount_is_never_negative(api_client, partenaire):
    assert soumettre(api_client, partenaire, KWH, "0", date="2023-12-31").status_code == 201

    response = soumettre(api_client, partenaire, KWH, "-1")

    assert response.status_code == 400
    assert response.json()["errors"] == {"valeur": ["Une valeur en kWh n'est jamais négative : -1 est impossible."]}


# --- One kept value per indicator and date -----------------------------------------------


def test_a_second_value_for_the_same_date_is_a_400_naming_the_first(api_client, partenaire):
    assert soumettre(api_client, partenaire, PART, "42").status_code == 201

    response = soumettre(api_client, partenaire, PART, "43")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "date": [
            "Une mesure existe déjà pour cet indicateur au 31/12/2024 : 42 %, soumise ; un·e chargé·e de programme "
            "peut la renvoyer pour correction ou la rejeter."
        ]
    }
    assert list(Mesure.objects.values_list("valeur", flat=True)) == [Decimal("42")]


def test_a_validated_value_holds_its_date_and_says_who_corrects_it(api_client, partenaire):
    premiere = mesure(PART, "42")
    services.mesure_validate(mesure=premiere, by=compte("charge"))

    response = soumettre(api_client, partenaire, PART, "43")

    assert response.status_code == 400
    assert response.json()["errors"]["date"] == [
        "Une mesure existe déjà pour cet indicateur au 31/12/2024 : 42 %, validée ; elle compte déjà dans les "
        "évaluations ; pour la corriger, adressez-vous à un·e chargé·e de programme."
    ]


def test_once_an_officer_rejects_a_value_the_corrected_one_can_be_submitted(api_client, partenaire):
    fausse = Mesure.objects.get(uid=soumettre(api_client, partenaire, PART, "4.2").json()["uid"])
    services.mesure_reject(mesure=fausse, by=compte("charge"), commentaire="Virgule mal placée : 42 ?")

    response = soumettre(api_client, partenaire, PART, "42")

    assert response.status_code == 201
    assert sorted(Mesure.objects.values_list("valeur", "statut")) == [
        (Decimal("4.2"), "rejetee"),
        (Decimal("42"), "soumise"),
    ]


def test_another_date_or_another_indicator_is_free(api_client, partenaire):
    assert soumettre(api_client, partenaire, PART, "42").status_code == 201
    assert soumettre(api_client, partenaire, PART, "42", date="2024-12-30").status_code == 201
    assert soumettre(api_client, partenaire, KWH, "42").status_code == 201


# --- A unit change keeps the values inside the new domain (portal form) -------------------


def test_the_portal_refuses_a_unit_that_would_leave_a_kept_value_outside_its_domain():
    indicateur = Indicateur.objects.get(code=KWH)
    mesure(KWH, "412.5")
    client = Client()
    client.force_login(compte("charge"))
    form = {
        "libelle": indicateur.libelle, "unite": "%", "sens": indicateur.sens, "valeur_reference": "",
        "date_reference": "", "valeur_cible": "80", "echeance": "2030-12-31", "note": "",
        "frequence": "annuelle",
    }  # fmt: skip

    response = client.post(f"/indicateurs/{KWH}/modifier/", form)

    assert response.status_code == 200
    assert response.context["form"].errors["unite"] == [
        "Une part en % est comprise entre 0 et 100 : la mesure du 31/12/2024 (412,5, soumise) n'y entrerait plus."
    ]
    assert Indicateur.objects.get(code=KWH).unite == "kWh"


def test_a_rejected_value_does_not_hold_back_a_unit_change():
    fausse = mesure(KWH, "412.5")
    services.mesure_reject(mesure=fausse, by=None, commentaire="Hors sujet")
    indicateur = Indicateur.objects.get(code=KWH)

    services.indicateur_update(indicateur=indicateur, data={"unite": "MWh"}, by=None)

    assert Indicateur.objects.get(code=KWH).unite == "MWh"


# --- The database refuses what bypasses the service (PostgreSQL) --------------------------


def test_the_database_refuses_a_value_outside_its_units_domain(postgresql):
    mesure(PART, "100")
    mesure(EVOLUTION, "-100")
    mesure(KWH, "0")
    for code, valeur in [(PART, "150"), (PART, "-1"), (EVOLUTION, "-100.0001"), (KWH, "-1")]:
        with pytest.raises(IntegrityError, match="hors du domaine"), transaction.atomic():
            mesure(code, valeur, date=datetime.date(2024, 6, 30))
    assert Mesure.objects.count() == 3


def test_the_database_refuses_an_update_that_puts_a_value_outside(postgresql):
    juste = mesure(PART, "80")
    mesure(KWH, "412.5")

    with pytest.raises(IntegrityError, match="hors du domaine"), transaction.atomic():
        Mesure.objects.filter(pk=juste.pk).update(valeur=Decimal("180"))
    with pytest.raises(IntegrityError, match="hors de son domaine"), transaction.atomic():
        Indicateur.objects.filter(code=KWH).update(unite="%")
    # 80 is a fine number of hectares: a unit that still holds every value is accepted.
    Indicateur.objects.filter(code=PART).update(unite="ha")

    assert Mesure.objects.get(pk=juste.pk).valeur == Decimal("80")
    assert Indicateur.objects.get(code=KWH).unite == "kWh"


def test_the_database_refuses_a_second_kept_value_for_a_date_but_not_after_a_rejection(postgresql):
    mesure(PART, "4.2", statut=Mesure.Statut.REJETEE)
    mesure(PART, "42")
    with pytest.raises(IntegrityError, match="mesure_unique_par_date"), transaction.atomic():
        mesure(PART, "43", statut=Mesure.Statut.VALIDEE)
    assert Mesure.objects.filter(indicateur__code=PART).count() == 2


def test_the_demo_values_lie_within_their_units_domain():
    call_command("generer_demo")

    valeurs = Mesure.objects.filter(demo=True).select_related("indicateur")
    assert valeurs.exists()
    hors = [(m.indicateur.code, m.valeur) for m in valeurs if not m.indicateur.domaine.contient(m.valeur)]
    assert hors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_for_one_date_keep_one_and_name_it_to_the_others(programme_charge, postgresql):
    partenaire = compte("partenaire")
    indicateur = Indicateur.objects.get(code=PART)
    fils = 8
    barriere = threading.Barrier(fils)
    issues: list[str] = []
    verrou = threading.Lock()

    def soumettre_en_meme_temps(i: int) -> None:
        try:
            connection.ensure_connection()
            barriere.wait(timeout=30)
            services.mesure_submit(
                indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal(40 + i), source="Relevé",
                by=partenaire,
            )  # fmt: skip
            issue = "acceptee"
        except ValidationError as exc:
            issue = " ".join(exc.message_dict.get("date", [repr(exc)]))
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            issue = f"erreur: {exc!r}"
        finally:
            connections.close_all()
        with verrou:
            issues.append(issue)

    threads = [threading.Thread(target=soumettre_en_meme_temps, args=(i,)) for i in range(fils)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    gardee = Mesure.objects.get(indicateur=indicateur)
    assert issues.count("acceptee") == 1
    refus = [issue for issue in issues if issue != "acceptee"]
    attendu = f"Une mesure existe déjà pour cet indicateur au 31/12/2024 : {gardee.valeur.normalize():f} %, soumise"
    assert len(refus) == fils - 1 and all(issue.startswith(attendu) for issue in refus), refus
