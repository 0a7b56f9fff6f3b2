"""GET /api/v1/periodes/ and POST /api/v1/mesures/{uid}/corriger/: the periods and corrections of a partner's space."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from indicateurs import services
from indicateurs.models import Indicateur, Mesure, Periode
from tests.indicateurs.factories import compte, entetes

pytestmark = pytest.mark.django_db

KWH = "biovallee-production-energie-locale"  # kWh, Association Biovallée leads its project


def _tout(client: Client, url: str, **headers) -> list[dict]:
    lignes = []
    while url:
        reponse = client.get(url, **headers)
        assert reponse.status_code == 200, reponse.content
        lignes += reponse.json()["results"]
        url = reponse.json()["next"]
    return lignes


@pytest.fixture
def a_revoir():
    partenaire = compte("partenaire")
    mesure = services.mesure_submit(
        indicateur=Indicateur.objects.get(code=KWH), date=datetime.date(2024, 3, 1), valeur=Decimal("1"),
        source="Estimation", by=partenaire,
    )  # fmt: skip
    return services.mesure_return(mesure=mesure, by=compte("charge"), commentaire="En kWh, pas en MWh.")


def test_anonymous_callers_are_refused():
    reponse = Client().get("/api/v1/periodes/")
    assert reponse.status_code in (401, 403)
    assert reponse["Content-Type"].startswith("application/problem+json")


def test_a_partner_sees_their_projects_periods_only_as_in_their_space(a_revoir):
    partenaire = compte("partenaire")
    lignes = _tout(Client(), "/api/v1/periodes/?page_size=100", **entetes(partenaire))

    attendues = Periode.objects.filter(indicateur__impact__projet__slug="biovallee")
    assert sorted(ligne["id"] for ligne in lignes) == sorted(attendues.values_list("pk", flat=True))
    assert {ligne["projet"] for ligne in lignes} == {"biovallee"}
    ligne = next(ligne for ligne in lignes if ligne["id"] == a_revoir.periode_id)
    assert ligne == {
        "id": a_revoir.periode_id, "indicateur": KWH, "projet": "biovallee", "debut": "2024-01-01",
        "fin": "2024-12-31", "libelle": "2024", "date_limite": str(a_revoir.periode.date_limite), "etat": "a_revoir",
        "mesure": str(a_revoir.uid),
    }  # fmt: skip
    autre = _tout(
        Client(), "/api/v1/periodes/?page_size=100", **entetes(compte("partenaire", organisation="Grand Belfort"))
    )
    assert not {ligne["id"] for ligne in autre} & {ligne["id"] for ligne in lignes}


def test_the_filters_narrow_the_periods(a_revoir):
    client, entete = Client(), entetes(compte("charge"))
    jour = timezone.localdate()

    a_revoir_seules = _tout(client, "/api/v1/periodes/?etat=a_revoir", **entete)
    assert [ligne["mesure"] for ligne in a_revoir_seules] == [str(a_revoir.uid)]
    par_indicateur = _tout(client, f"/api/v1/periodes/?indicateur={KWH}&page_size=100", **entete)
    assert len(par_indicateur) == Periode.objects.filter(indicateur__code=KWH).count()
    en_retard = _tout(client, "/api/v1/periodes/?projet=biovallee&etat=en_retard&page_size=100", **entete)
    assert en_retard and all(
        ligne["projet"] == "biovallee" and ligne["date_limite"] < str(jour) and ligne["mesure"] is None
        for ligne in en_retard
    )


def test_officers_and_directors_see_every_period_in_pinned_queries(django_assert_num_queries):
    for role in ("charge", "directeur"):
        client, entete = Client(), entetes(compte(role))
        # token, profile, (a director's regions, for the ETag,) count, page
        with django_assert_num_queries(4 if role == "charge" else 5):
            reponse = client.get("/api/v1/periodes/?page_size=100", **entete)
        assert reponse.json()["count"] == Periode.objects.count()


def test_an_unknown_state_is_a_french_400():
    reponse = Client().get("/api/v1/periodes/?etat=perdue", **entetes(compte("partenaire")))
    assert reponse.status_code == 400
    assert "perdue" in reponse.json()["errors"]["etat"][0]


def test_a_partner_corrects_a_measure_sent_back(a_revoir):
    reponse = Client().post(
        f"/api/v1/mesures/{a_revoir.uid}/corriger/", {"valeur": "1250.5", "source": "Relevé"},
        content_type="application/json", **entetes(compte("partenaire")),
    )  # fmt: skip

    assert reponse.status_code == 200, reponse.content
    assert (reponse.json()["statut"], reponse.json()["valeur"], reponse.json()["date"]) == (
        "soumise", "1250.5000", "2024-03-01"
    )  # fmt: skip
    a_revoir.refresh_from_db()
    assert a_revoir.statut == Mesure.Statut.SOUMISE and a_revoir.commentaire == ""


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        ({"valeur": "1 250,5", "source": "Relevé"}, "valeur"),
        ({"valeur": "-3", "source": "Relevé"}, "valeur"),
        ({"valeur": "3", "source": ""}, "source"),
        ({"valeur": "3", "source": "Relevé", "date": "2023-03-01"}, "date"),
    ],
)
def test_a_bad_correction_is_a_french_400_naming_the_field(a_revoir, donnees, champ):
    reponse = Client().post(
        f"/api/v1/mesures/{a_revoir.uid}/corriger/", donnees, content_type="application/json",
        **entetes(compte("partenaire")),
    )  # fmt: skip

    assert reponse.status_code == 400
    assert reponse.json()["errors"][champ]
    a_revoir.refresh_from_db()
    assert a_revoir.statut == Mesure.Statut.A_REVOIR


def test_only_a_measure_sent_back_is_corrected(a_revoir):
    partenaire = compte("partenaire")
    corps = {"valeur": "3", "source": "Relevé"}
    url = f"/api/v1/mesures/{a_revoir.uid}/corriger/"
    Client().post(url, corps, content_type="application/json", **entetes(partenaire))

    reponse = Client().post(url, corps, content_type="application/json", **entetes(partenaire))

    assert reponse.status_code == 400 and "statut" in reponse.json()["errors"]


def test_others_cannot_correct_a_partners_measure(a_revoir):
    url = f"/api/v1/mesures/{a_revoir.uid}/corriger/"
    corps = {"valeur": "3", "source": "Relevé"}
    autre = compte("partenaire", organisation="Grand Belfort")

    # Not theirs and not validated: they cannot see it (no leak).
    assert Client().post(url, corps, content_type="application/json", **entetes(autre)).status_code == 404
    assert Client().post(url, corps, content_type="application/json", **entetes(compte("directeur"))).status_code == 403
    assert Client().post(url, corps, content_type="application/json").status_code in (401, 403)
    assert Client().get(url, **entetes(compte("partenaire"))).status_code == 405
    a_revoir.refresh_from_db()
    assert a_revoir.statut == Mesure.Statut.A_REVOIR
