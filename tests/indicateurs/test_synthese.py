"""Each regional director gets, once, the status changes of the day in their regions."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from indicateurs import services
from indicateurs.models import Indicateur, SyntheseEnvoyee
from tests.indicateurs.factories import MesureFactory, compte

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2025, 6, 30)


@pytest.fixture
def changements():
    """Biovallée (Auvergne-Rhône-Alpes, 84) turns late and Morbihan (Bretagne, 53) reaches its target."""
    services.evaluation_run(date=JOUR - datetime.timedelta(days=1))
    for code, valeur in [("biovallee-production-energie-locale", "300"),
                         ("morbihan-flexibilite-energetique-usage-voiture-individuelle", "79")]:  # fmt: skip
        MesureFactory(
            indicateur=Indicateur.objects.get(code=code), date=datetime.date(2024, 12, 31), valeur=Decimal(valeur),
            validee=True,
        )  # fmt: skip
    services.evaluation_run(date=JOUR)


def test_a_director_is_mailed_the_changes_of_their_regions_only(changements):
    directeur = compte("directeur", regions=["84"], email="direction.ara@example.fr")
    compte("directeur", regions=["11"], email="direction.idf@example.fr")  # no change in Île-de-France

    assert services.synthese_send(date=JOUR) == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [directeur.email]
    assert message.subject == "[Territoires d'Innovation] Indicateurs : 1 changement de statut au 30/06/2025"
    assert "BIOVALLÉE (Auvergne-Rhône-Alpes)" in message.body
    assert "Production d'énergie locale : Non renseigné → En retard" in message.body
    assert "MORBIHAN" not in message.body


def test_a_director_of_several_regions_gets_one_digest_for_all(changements):
    compte("directeur", regions=["84", "53"], email="direction@example.fr")

    services.synthese_send(date=JOUR)

    assert len(mail.outbox) == 1
    assert "1 changement" not in mail.outbox[0].subject and "2 changements" in mail.outbox[0].subject


def test_a_second_run_sends_nothing_more(changements):
    compte("directeur", regions=["84"], email="direction.ara@example.fr")
    services.synthese_send(date=JOUR)

    assert services.synthese_send(date=JOUR) == 0
    assert len(mail.outbox) == 1
    assert SyntheseEnvoyee.objects.get().nb_changements == 1


def test_a_director_without_an_email_address_is_skipped(changements):
    compte("directeur", regions=["84"])
    assert services.synthese_send(date=JOUR) == 0
    assert not SyntheseEnvoyee.objects.exists()


def test_a_failed_sending_is_not_recorded_so_that_a_retry_sends_it(changements, settings, monkeypatch):
    compte("directeur", regions=["84"], email="direction.ara@example.fr")

    def panne(*args, **kwargs):
        raise ConnectionRefusedError("serveur SMTP injoignable")

    monkeypatch.setattr(services, "send_mail", panne)
    with pytest.raises(ConnectionRefusedError):
        services.synthese_send(date=JOUR)
    assert not SyntheseEnvoyee.objects.exists()

    monkeypatch.undo()
    assert services.synthese_send(date=JOUR) == 1


def test_no_change_no_mail():
    compte("directeur", regions=["84"], email="direction.ara@example.fr")
    services.evaluation_run(date=JOUR)
    assert services.synthese_send(date=JOUR) == 0
    assert mail.outbox == []
