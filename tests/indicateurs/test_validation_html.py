"""The officers' HTML queue: /indicateurs/mesures/a-valider/ and the decision form, through the same services."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings

from indicateurs.models import Indicateur, Mesure
from tests.indicateurs.factories import IndicateurFactory, MesureFactory, compte, entetes

pytestmark = pytest.mark.django_db

QUEUE = "/indicateurs/mesures/a-valider/"
# session, user, profile, and one for the submitted measurements with their indicator, project, period, author,
# organisation, previous and first validated values
QUEUE_QUERIES = 4


def _decide(client, mesure, **data):
    return client.post(f"/indicateurs/mesures/{mesure.uid}/decision/", data, follow=True)


@pytest.fixture
def charge_connecte(client):
    client.force_login(compte("charge"))
    return client


def test_an_officer_sees_the_submitted_measurements_oldest_first(charge_connecte, django_assert_num_queries):
    premiere, seconde = MesureFactory.create_batch(2)
    MesureFactory(validee=True)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = charge_connecte.get(QUEUE)

    assert response.status_code == 200
    assert [ligne.mesure for ligne in response.context["lignes"]] == [premiere, seconde]


def test_the_queue_query_count_does_not_grow_with_the_queue(charge_connecte, django_assert_num_queries):
    partenaire = compte("partenaire", prenom="Paula", nom="Martin")
    for numero in range(20):
        indicateur = IndicateurFactory()
        MesureFactory(indicateur=indicateur, date=datetime.date(2022, 12, 31), validee=True)
        MesureFactory(indicateur=indicateur, date=datetime.date(2024, 6, 30 - numero % 5), auteur=partenaire)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = charge_connecte.get(QUEUE)
    assert len(response.context["lignes"]) == 20
    assert response.content.decode().count("Paula Martin") == 20


def test_an_officer_validates_from_the_queue(charge_connecte):
    mesure = MesureFactory()

    response = _decide(charge_connecte, mesure, decision="valider")

    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.VALIDEE
    assert "validée" in response.content.decode()


def test_a_rejection_needs_a_comment(charge_connecte):
    mesure = MesureFactory()

    response = _decide(charge_connecte, mesure, decision="rejeter", commentaire="")
    assert "Un rejet est toujours motivé." in response.content.decode()
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE

    _decide(charge_connecte, mesure, decision="rejeter", commentaire="Valeur incohérente.")
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.commentaire) == (Mesure.Statut.REJETEE, "Valeur incohérente.")


def test_a_bad_decision_is_refused_with_a_message(charge_connecte):
    mesure = MesureFactory()
    response = _decide(charge_connecte, mesure, decision="supprimer")
    assert "Décision illisible" in response.content.decode()
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE


def test_an_unknown_measurement_is_a_404(charge_connecte):
    url = "/indicateurs/mesures/7a6b1c52-0000-4000-8000-000000000000/decision/"
    assert charge_connecte.post(url, {"decision": "valider"}).status_code == 404


def test_a_get_on_the_decision_is_a_405(charge_connecte):
    assert charge_connecte.get(f"/indicateurs/mesures/{MesureFactory().uid}/decision/").status_code == 405


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert client.post(f"/indicateurs/mesures/{MesureFactory().uid}/decision/").status_code == 302


@pytest.mark.parametrize("role", ["partenaire", "directeur"])
def test_other_roles_get_a_403(client, role):
    client.force_login(compte(role))
    mesure = MesureFactory()
    assert client.get(QUEUE).status_code == 403
    assert client.post(f"/indicateurs/mesures/{mesure.uid}/decision/", {"decision": "valider"}).status_code == 403
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE


def _trajectoire(depart: Decimal, cible: Decimal, origine: datetime.date, echeance: datetime.date, jour) -> Decimal:
    """The straight line from the origin to the target, written again here from the rule's statement."""
    valeur = depart + (cible - depart) * Decimal((jour - origine).days) / Decimal((echeance - origine).days)
    return valeur.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def test_each_measurement_comes_with_what_to_judge_it_against(charge_connecte):
    indicateur = IndicateurFactory(unite="emplois")  # 100 in September 2019 to 200 at the end of 2030
    MesureFactory(indicateur=indicateur, date=datetime.date(2021, 12, 31), valeur=Decimal("110"), validee=True)
    MesureFactory(indicateur=indicateur, date=datetime.date(2022, 12, 31), valeur=Decimal("120"), validee=True)
    MesureFactory(indicateur=indicateur, date=datetime.date(2023, 6, 30), valeur=Decimal("999"))  # later, submitted
    mesure = MesureFactory(indicateur=indicateur, date=datetime.date(2023, 12, 31), valeur=Decimal("150"))

    response = charge_connecte.get(QUEUE)

    (ligne,) = [ligne for ligne in response.context["lignes"] if ligne.mesure == mesure]
    attendue = _trajectoire(
        Decimal("100"), Decimal("200"), settings.PROGRAMME_DATE_DESIGNATION, datetime.date(2030, 12, 31), mesure.date
    )
    assert (ligne.precedente.valeur, ligne.precedente.date) == (Decimal("120"), datetime.date(2022, 12, 31))
    assert ligne.attendue == attendue
    assert (ligne.variation, ligne.variation_pourcentage) == (Decimal("30"), Decimal("25.00"))
    assert ligne.ecart_attendu == Decimal("150") - attendue
    page = response.content.decode()
    assert "2023 — mesure du 31/12/2023" in page
    assert "120\xa0emplois au 31/12/2022" in page
    assert "+30\xa0emplois (+25\xa0%)" in page
    assert f"{int(attendue.quantize(Decimal(1), rounding=ROUND_HALF_UP))}\xa0emplois" in page


def test_without_a_baseline_the_trajectory_starts_at_the_first_validated_value(charge_connecte):
    indicateur = IndicateurFactory(valeur_reference=None)
    MesureFactory(indicateur=indicateur, date=datetime.date(2020, 12, 31), valeur=Decimal("40"), validee=True)
    mesure = MesureFactory(indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("90"))
    seule = MesureFactory(indicateur=IndicateurFactory(valeur_reference=None), date=datetime.date(2024, 12, 31))

    lignes = {ligne.mesure: ligne for ligne in charge_connecte.get(QUEUE).context["lignes"]}

    assert lignes[mesure].attendue == _trajectoire(
        Decimal("40"), Decimal("200"), datetime.date(2020, 12, 31), datetime.date(2030, 12, 31), mesure.date
    )
    # Nothing validated before it and no baseline: no trajectory to compare with, and no variation.
    assert (lignes[seule].attendue, lignes[seule].precedente, lignes[seule].variation) == (None, None, None)


def test_the_queue_names_who_submitted_a_value_and_their_organisation(api_client, charge_connecte):
    partenaire = compte("partenaire", prenom="Paula", nom="Martin")
    reponse = api_client.post(
        "/api/v1/mesures/",
        {"indicateur": "biovallee-part-agriculture-bio", "date": "2024-06-30", "valeur": "12.5", "source": "RGA"},
        content_type="application/json",
        **entetes(partenaire),
    )
    assert reponse.status_code == 201, reponse.content

    page = charge_connecte.get(QUEUE).content.decode()

    assert f"Paula Martin ({partenaire.username}), Association Biovallée" in page


def test_a_value_without_a_recorded_author_says_so(charge_connecte):
    MesureFactory(auteur=None)
    page = charge_connecte.get(QUEUE).content.decode()
    assert "auteur non enregistré" in page


def test_an_officer_sends_a_value_back_for_correction_with_a_comment(charge_connecte):
    mesure = MesureFactory()

    refus = _decide(charge_connecte, mesure, decision="renvoyer", commentaire=" ")
    assert "Un renvoi pour correction dit ce qu&#x27;il faut corriger." in refus.content.decode()
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE

    response = _decide(charge_connecte, mesure, decision="renvoyer", commentaire="Quelle est la source ?")
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.commentaire) == (Mesure.Statut.A_REVOIR, "Quelle est la source ?")
    assert "à revoir" in response.content.decode()
    assert mesure not in [ligne.mesure for ligne in response.context["lignes"]]


def test_the_queue_shows_the_period_of_each_value(charge_connecte):
    indicateur = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    MesureFactory(indicateur=indicateur, date=datetime.date(2024, 6, 30))
    page = charge_connecte.get(QUEUE).content.decode()
    assert "2024 — mesure du 30/06/2024" in page
