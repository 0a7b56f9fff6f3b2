"""The officers' HTML queue: /indicateurs/mesures/a-valider/ and the decision form, through the same services."""

import pytest

from indicateurs.models import Mesure
from tests.indicateurs.factories import MesureFactory, compte

pytestmark = pytest.mark.django_db

QUEUE = "/indicateurs/mesures/a-valider/"
QUEUE_QUERIES = 4  # session, user, profile, submitted measurements with indicator, project, author and organisation


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
    assert list(response.context["mesures"]) == [premiere, seconde]


def test_the_queue_query_count_does_not_grow_with_the_queue(charge_connecte, django_assert_num_queries):
    MesureFactory.create_batch(12)
    with django_assert_num_queries(QUEUE_QUERIES):
        charge_connecte.get(QUEUE)


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
