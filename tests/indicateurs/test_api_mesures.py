"""POST and GET /api/v1/mesures/: partners submit for their projects, each role reads what it may."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicateurs.models import Indicateur, Mesure
from tests.indicateurs.factories import MesureFactory, compte, entetes

pytestmark = pytest.mark.django_db

URL = "/api/v1/mesures/"
BIOVALLEE = "biovallee-production-energie-locale"  # Association Biovallée leads this project
AILLEURS = "morbihan-flexibilite-energetique-usage-voiture-individuelle"
LIST_QUERIES = 3  # token, count, page of measurements with indicator and author (the partner's projects inlined)


def _post(client, user, **data):
    payload = {
        "indicateur": BIOVALLEE,
        "date": "2024-12-31",
        "valeur": "412.5",
        "source": "Observatoire régional",
        **data,
    }
    return client.post(URL, payload, content_type="application/json", **entetes(user))


@pytest.fixture
def partenaire():
    return compte("partenaire")


def test_a_partner_submits_a_value_for_a_project_of_their_organisation(api_client, partenaire):
    response = _post(api_client, partenaire)

    assert response.status_code == 201
    body = response.json()
    assert (body["indicateur"], body["valeur"], body["date"], body["statut"]) == (
        BIOVALLEE,
        "412.5000",
        "2024-12-31",
        "soumise",
    )
    assert body["auteur"] == partenaire.username
    mesure = Mesure.objects.get(uid=body["uid"])
    assert (mesure.valeur, mesure.auteur, mesure.demo) == (Decimal("412.5"), partenaire, False)
    assert mesure.history.first().history_user == partenaire


def test_a_co_leading_organisation_may_submit_too(api_client):
    # Grand Belfort co-leads « Belfort-Montbéliard », whose lead is another organisation.
    user = compte("partenaire", organisation="Grand Belfort")
    response = _post(api_client, user, indicateur="belfort-montbeliard-territoire-industriel-friches-reconquises")
    assert response.status_code == 201


def test_a_partner_gets_a_403_for_another_project(api_client, partenaire):
    response = _post(api_client, partenaire, indicateur=AILLEURS)

    assert response.status_code == 403
    assert "ne participe pas au projet" in response.json()["detail"]
    assert not Mesure.objects.exists()


def test_a_director_cannot_submit_and_an_officer_can(api_client):
    assert _post(api_client, compte("directeur")).status_code == 403
    assert _post(api_client, compte("charge"), indicateur=AILLEURS, valeur="90").status_code == 201  # a share


def test_an_anonymous_submission_is_a_401(api_client):
    response = api_client.post(URL, {"indicateur": BIOVALLEE}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("valeur", "beaucoup", "nombre"),
        ("valeur", "1.23456", "chiffres après la virgule"),
        ("date", "31/12/2024", "date"),
        ("indicateur", "inconnu", "Indicateur inconnu « inconnu »."),
        ("source", "", "vide"),
    ],
)
def test_bad_input_is_a_400_with_the_field_named(api_client, partenaire, field, value, message):
    response = _post(api_client, partenaire, **{field: value})

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])


def test_a_date_in_the_future_is_refused(api_client, partenaire):
    demain = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _post(api_client, partenaire, date=demain)
    assert response.status_code == 400
    assert "futur" in response.json()["errors"]["date"][0]


def test_missing_fields_are_named(api_client, partenaire):
    response = api_client.post(URL, {}, content_type="application/json", **entetes(partenaire))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"indicateur", "date", "valeur", "source"}


@pytest.mark.parametrize(
    "valeur",
    ["1e3", "1E3", "NaN", "Infinity", "-Infinity", "\uff14\uff11\uff12", "\u0664\u0661\u0662", "4_12", "412,5"],
)
def test_a_value_with_an_exponent_or_foreign_digits_is_a_400_and_nothing_is_recorded(api_client, partenaire, valeur):
    avant = Mesure.objects.count()

    response = _post(api_client, partenaire, valeur=valeur)

    assert response.status_code == 400
    assert "Un nombre décimal est attendu" in response.json()["errors"]["valeur"][0]
    assert Mesure.objects.count() == avant


def test_the_public_reads_validated_measurements_only(api_client):
    validee = MesureFactory(indicateur=Indicateur.objects.get(code=BIOVALLEE), validee=True)
    soumise = MesureFactory(indicateur=validee.indicateur)

    body = api_client.get(URL).json()

    assert [m["uid"] for m in body["results"]] == [str(validee.uid)]
    assert body["results"][0]["auteur"] is None
    assert api_client.get(f"{URL}{soumise.uid}/").status_code == 404


def test_a_partner_reads_everything_of_their_projects_and_what_is_validated_elsewhere(api_client, partenaire):
    chez_lui = MesureFactory(indicateur=Indicateur.objects.get(code=BIOVALLEE))
    ailleurs_validee = MesureFactory(indicateur=Indicateur.objects.get(code=AILLEURS), validee=True)
    ailleurs_soumise = MesureFactory(indicateur=ailleurs_validee.indicateur)

    uids = {m["uid"] for m in api_client.get(URL, **entetes(partenaire)).json()["results"]}

    assert uids == {str(chez_lui.uid), str(ailleurs_validee.uid)}
    assert api_client.get(f"{URL}{chez_lui.uid}/", **entetes(partenaire)).status_code == 200
    assert api_client.get(f"{URL}{ailleurs_soumise.uid}/", **entetes(partenaire)).status_code == 404


def test_officers_and_directors_read_every_measurement(api_client):
    MesureFactory.create_batch(2)
    MesureFactory(validee=True)
    for role in ("charge", "directeur"):
        assert api_client.get(URL, **entetes(compte(role))).json()["count"] == 3


def test_measurements_filter_by_indicator_and_status(api_client):
    indicateur = Indicateur.objects.get(code=BIOVALLEE)
    MesureFactory(indicateur=indicateur, validee=True)
    MesureFactory(validee=True)
    assert api_client.get(URL, {"indicateur": BIOVALLEE}).json()["count"] == 1
    assert api_client.get(URL, {"statut": "soumise"}).json()["count"] == 0


def test_an_unknown_or_malformed_uid_is_a_404(api_client):
    assert api_client.get(f"{URL}7a6b1c52-0000-4000-8000-000000000000/").status_code == 404
    assert api_client.get(f"{URL}pas-un-uuid/").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_measurement_is_never_edited_or_deleted_through_the_api(api_client, method):
    mesure = MesureFactory(validee=True)
    response = getattr(api_client, method)(
        f"{URL}{mesure.uid}/", {}, content_type="application/json", **entetes(compte("charge"))
    )
    assert response.status_code == 405


def test_the_list_query_count_does_not_grow_with_the_number_of_measurements(api_client, django_assert_num_queries):
    partenaire = compte("partenaire")
    headers = entetes(partenaire)
    MesureFactory.create_batch(3, indicateur=Indicateur.objects.get(code=BIOVALLEE))
    api_client.get(URL, **headers)  # the token's first use records its date once
    with django_assert_num_queries(LIST_QUERIES):
        api_client.get(URL, **headers)

    MesureFactory.create_batch(15, validee=True)
    with django_assert_num_queries(LIST_QUERIES):
        assert api_client.get(URL, **headers).json()["count"] == 18
