"""The partners' reminders: one digest per contact and run, each period reminded once per step.

A new project led by a new organisation, with one yearly indicator whose 2020-2024
values are validated: its 2025 period (due 01/03/2026) is the one reminded, at the
default steps: 14/02/2026 (15 days before), 01/03/2026 (the day), 16/03/2026 (15 days late).
The race test runs two reminders at once on PostgreSQL (real threads, real connections),
the worker test runs the task twice through a real Celery worker on Redis.
"""

import datetime
import re
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_celery_beat.models import PeriodicTask

from indicateurs import relances, services
from indicateurs.management.commands.planifier_taches import NOM_RELANCES
from indicateurs.models import EtapeRelance, Indicateur, Mesure, RelanceEnvoyee
from indicateurs.tasks import envoyer_relances_task
from laureats.models import Partenariat
from tests.factories import ProjetFactory
from tests.indicateurs.factories import IndicateurFactory, MesureFactory, compte
from tests.indicateurs.test_worker import _attendre, _redis_joignable, queue, workers  # noqa: F401 - fixtures
from tests.laureats.test_admin_fiche import avec, envoyer, formulaire_de_la_fiche

AVANT, ECHEANCE, RETARD = datetime.date(2026, 2, 14), datetime.date(2026, 3, 1), datetime.date(2026, 3, 16)
UN_JOUR = datetime.timedelta(days=1)
ALICE = "alice@example.org"
# The steps migration 0007 seeds; a transactional test's flush empties the table, _jeu() puts them back.
ETAPES = [
    ("avant", "Rappel : date limite dans 15 jours", -15),
    ("echeance", "Date limite aujourd'hui", 0),
    ("retard", "Relance : déclaration en retard", 15),
]


def _jeu() -> dict:
    """The project, its indicator, and who could be mailed: two contacts of the lead (one without an address),
    an inactive one, a partner of another organisation (Biovallée), an officer."""
    for code, libelle, jours in ETAPES:
        EtapeRelance.objects.get_or_create(code=code, defaults={"libelle": libelle, "jours": jours})
    projet = ProjetFactory(titre="Vallée des Possibles")
    Partenariat.objects.create(projet=projet, organisation=projet.chef_de_file, role=Partenariat.Role.CHEF_DE_FILE)
    indicateur = IndicateurFactory(impact=projet.impacts.get(), libelle="Emplois créés", code="possibles-emplois")
    for annee in range(2020, 2025):
        MesureFactory(indicateur=indicateur, date=datetime.date(annee, 12, 31), validee=True)
    nom = projet.chef_de_file.nom
    alice = compte("partenaire", organisation=nom, email=ALICE, prenom="Alice")
    compte("partenaire", organisation=nom)  # no address
    partie = compte("partenaire", organisation=nom, email="partie@example.org")
    partie.is_active = False
    partie.save()
    autre = compte("partenaire", email="biovallee@example.org")  # Association Biovallée
    compte("charge", email="charge@example.org")
    return {"projet": projet, "indicateur": indicateur, "alice": alice, "autre": autre}


@pytest.fixture
def jeu(db) -> dict:
    return _jeu()


def _a(adresse: str) -> list:
    return [message for message in mail.outbox if message.to == [adresse]]


def _pour_alice(jour: datetime.date) -> list:
    avant = len(_a(ALICE))
    relances.relances_send(jour=jour)
    return _a(ALICE)[avant:]


# --- Each step on its day, once ----------------------------------------------------------------------------------


def test_each_step_fires_on_its_day_once(jeu):
    jours = [AVANT - UN_JOUR, AVANT, AVANT + UN_JOUR, ECHEANCE - UN_JOUR, ECHEANCE, ECHEANCE + UN_JOUR]
    jours += [RETARD - UN_JOUR, RETARD, RETARD + UN_JOUR, datetime.date(2026, 12, 31)]
    envois = {jour: _pour_alice(jour) for jour in jours}

    assert {jour: len(messages) for jour, messages in envois.items() if messages} == {AVANT: 1, ECHEANCE: 1, RETARD: 1}
    (avant,) = envois[AVANT]
    assert avant.subject == "[Territoires d'Innovation] 1 déclaration d'indicateur à faire"
    assert avant.body.startswith("Bonjour Alice,")
    assert "Rappel : date limite dans 15 jours\n" in avant.body
    assert "- Vallée des Possibles — Emplois créés\n" in avant.body
    assert "Période : 2025, à déclarer au plus tard le 01/03/2026 (attendue)" in avant.body
    assert "2024" not in avant.body  # validated
    (echeance,) = envois[ECHEANCE]
    assert "Date limite aujourd'hui\n" in echeance.body and "(attendue)" in echeance.body
    (retard,) = envois[RETARD]
    assert retard.subject == "[Territoires d'Innovation] 1 déclaration d'indicateur à faire, dont 1 en retard"
    assert "Relance : déclaration en retard\n" in retard.body and "(en retard)" in retard.body
    assert RelanceEnvoyee.objects.filter(destinataire=jeu["alice"]).count() == 3


def test_links_are_absolute_to_the_partner_space_and_the_indicator(jeu):
    with override_settings(PORTAIL_URL="https://ti.example.gouv.fr/"):
        (message,) = _pour_alice(AVANT)

    assert "https://ti.example.gouv.fr/mon-espace/" in message.body
    assert "https://ti.example.gouv.fr/indicateurs/possibles-emplois/" in message.body
    html, type_mime = message.alternatives[0]
    assert type_mime == "text/html"
    assert '<a href="https://ti.example.gouv.fr/mon-espace/">' in html
    assert "Vallée des Possibles — Emplois créés" in html


def test_running_twice_sends_nothing_more(jeu):
    premier = relances.relances_send(jour=AVANT)
    assert premier >= 1  # Alice, and the Biovallée partner for Biovallée's own periods
    envoyes = len(mail.outbox)

    assert relances.relances_send(jour=AVANT) == 0
    assert relances.relances_send(jour=AVANT + UN_JOUR) == 0
    assert len(mail.outbox) == envoyes


def test_a_late_run_sends_the_step_reached_and_not_the_ones_it_missed(jeu):
    (message,) = _pour_alice(RETARD + datetime.timedelta(days=5))

    assert "Relance : déclaration en retard" in message.body
    assert "Rappel" not in message.body and "Date limite aujourd'hui" not in message.body
    assert _pour_alice(RETARD + datetime.timedelta(days=6)) == []
    assert list(RelanceEnvoyee.objects.filter(destinataire=jeu["alice"]).values_list("etape__code", flat=True)) == [
        "retard"
    ]


def test_a_run_between_two_steps_sends_the_one_missed_late(jeu):
    (message,) = _pour_alice(ECHEANCE + datetime.timedelta(days=3))  # the task was down on the day

    assert "Date limite aujourd'hui" in message.body and "(en retard)" in message.body
    assert len(_pour_alice(RETARD)) == 1


def test_the_step_before_never_fires_once_the_due_date_has_passed(jeu):
    EtapeRelance.objects.exclude(code="avant").update(active=False)

    assert _pour_alice(ECHEANCE + UN_JOUR) == []
    assert len(_pour_alice(ECHEANCE)) == 1  # still due on the day itself


def test_an_inactive_step_sends_nothing(jeu):
    EtapeRelance.objects.filter(code="avant").update(active=False)

    assert _pour_alice(AVANT) == []
    assert len(_pour_alice(ECHEANCE)) == 1


# --- Which periods ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("validee", [False, True], ids=["soumise", "validee"])
def test_a_submitted_or_validated_period_is_not_reminded(jeu, validee):
    MesureFactory(indicateur=jeu["indicateur"], date=datetime.date(2025, 12, 31), validee=validee)

    for jour in (AVANT, ECHEANCE, RETARD):
        assert _pour_alice(jour) == []


def test_a_rejected_value_leaves_the_period_owed(jeu):
    charge = compte("charge")
    mesure = MesureFactory(indicateur=jeu["indicateur"], date=datetime.date(2025, 12, 31))
    services.mesure_reject(mesure=mesure, by=charge, commentaire="Valeur sans source")

    assert len(_pour_alice(AVANT)) == 1


def test_a_value_sent_back_for_correction_is_reminded_as_such(jeu):
    charge = compte("charge")
    mesure = services.mesure_submit(
        indicateur=jeu["indicateur"], date=datetime.date(2025, 12, 31), valeur="120", source="Relevé", by=jeu["alice"]
    )
    services.mesure_return(mesure=mesure, by=charge, commentaire="Source à préciser")

    (message,) = _pour_alice(AVANT)
    assert "Période : 2025, à déclarer au plus tard le 01/03/2026 (à revoir)" in message.body


def test_several_periods_go_in_one_digest_overdue_first(jeu):
    Mesure.objects.filter(indicateur=jeu["indicateur"], date__year=2024).delete()  # 2024 is owed again

    (message,) = _pour_alice(AVANT)

    assert message.subject == "[Territoires d'Innovation] 2 déclarations d'indicateur à faire, dont 1 en retard"
    corps = message.body
    assert corps.index("Relance : déclaration en retard") < corps.index("Période : 2024") < corps.index("Rappel")
    assert corps.index("Rappel") < corps.index("Période : 2025")


# --- Who gets it --------------------------------------------------------------------------------------------------


def test_only_the_active_contacts_of_the_project_s_organisations_with_an_address_get_it(jeu, caplog):
    relances.relances_send(jour=AVANT)

    au_projet = [m for m in mail.outbox if "Vallée des Possibles" in m.body]
    assert [m.to for m in au_projet] == [[ALICE]]
    # The Biovallée partner is reminded of Biovallée's indicators only; the officer of nothing.
    assert all("Vallée des Possibles" not in m.body for m in _a("biovallee@example.org"))
    assert _a("charge@example.org") == [] and _a("partie@example.org") == []
    assert "aucune adresse électronique" in caplog.text


def test_a_partner_organisation_of_the_project_is_reminded_too(jeu):
    Partenariat.objects.create(
        projet=jeu["projet"], organisation=jeu["autre"].profil.organisation, role=Partenariat.Role.PARTENAIRE
    )

    relances.relances_send(jour=AVANT)

    assert any("Vallée des Possibles" in m.body for m in _a("biovallee@example.org"))


def test_a_contact_added_after_a_step_gets_that_step_too(jeu):
    _pour_alice(AVANT)
    bob = compte("partenaire", organisation=jeu["projet"].chef_de_file.nom, email="bob@example.org")

    relances.relances_send(jour=AVANT + UN_JOUR)

    assert len(_a("bob@example.org")) == 1
    assert RelanceEnvoyee.objects.filter(destinataire=bob).count() == 1


# --- Failures and the admin ----------------------------------------------------------------------------------------


def test_a_failed_sending_rolls_its_claims_back_for_the_retry(jeu, monkeypatch):
    def panne(self, messages):
        raise ConnectionRefusedError("serveur SMTP injoignable")

    with monkeypatch.context() as m:
        m.setattr(EmailBackend, "send_messages", panne)
        with pytest.raises(ConnectionRefusedError):
            relances.relances_send(jour=AVANT)

    assert not RelanceEnvoyee.objects.filter(destinataire=jeu["alice"]).exists()
    assert len(_pour_alice(AVANT)) == 1


def test_delays_edited_in_the_admin_change_when_reminders_go_out(jeu, admin_client, admin_user):
    avant = EtapeRelance.objects.get(code="avant")
    url = f"/admin/indicateurs/etaperelance/{avant.pk}/change/"
    un_mois_avant = datetime.date(2026, 1, 30)
    assert _pour_alice(un_mois_avant) == []

    reponse = envoyer(admin_client, url, avec(formulaire_de_la_fiche(admin_client, url), jours="-30"))

    assert reponse.status_code == 302
    avant.refresh_from_db()
    assert avant.jours == -30
    derniere = avant.history.first()
    assert (derniere.history_user, derniere.history_change_reason) == (
        admin_user,
        "Étape de relance modifiée dans l'administration",
    )
    assert len(_pour_alice(un_mois_avant)) == 1
    assert _pour_alice(AVANT) == []  # the step was sent for this period already


def test_the_admin_refuses_a_step_on_the_wrong_side_of_the_due_date(jeu, admin_client):
    avant = EtapeRelance.objects.get(code="avant")
    url = f"/admin/indicateurs/etaperelance/{avant.pk}/change/"

    reponse = envoyer(admin_client, url, avec(formulaire_de_la_fiche(admin_client, url), jours="5"))

    assert reponse.status_code == 200
    assert "L&#x27;étape « avant » part de 1 à 365 jours avant la date limite" in reponse.content.decode()
    assert EtapeRelance.objects.get(pk=avant.pk).jours == -15


def test_the_default_steps_are_seeded_with_their_history(db):
    etapes = list(EtapeRelance.objects.values_list("code", "libelle", "jours", "active"))
    assert etapes == [(*etape, True) for etape in ETAPES]
    assert all(etape.history.count() == 1 for etape in EtapeRelance.objects.all())


def test_new_periods_are_written_before_the_reminders(jeu):
    jeu["indicateur"].periodes.filter(debut__year=2025).delete()

    assert len(_pour_alice(AVANT)) == 1
    assert jeu["indicateur"].periodes.filter(debut__year=2025).exists()


# --- The task and its schedule -------------------------------------------------------------------------------------


def test_the_task_takes_an_iso_date_and_returns_the_number_of_mails(jeu):
    assert envoyer_relances_task.apply(kwargs={"date": AVANT.isoformat()}).get() >= 1
    assert len(_a(ALICE)) == 1
    assert envoyer_relances_task.apply(kwargs={"date": AVANT.isoformat()}).get() == 0


def test_the_command_sends_the_day_s_reminders_once(jeu, capsys):
    call_command("envoyer_relances", "--date", "2026-02-14")
    assert "relance(s) envoyée(s) aux partenaires au 14/02/2026." in capsys.readouterr().out
    assert len(_a(ALICE)) == 1

    call_command("envoyer_relances", "--date", "2026-02-14")
    assert "0 relance(s) envoyée(s)" in capsys.readouterr().out
    assert len(_a(ALICE)) == 1


def test_the_command_refuses_a_date_it_cannot_read(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ attendu"):
        call_command("envoyer_relances", "--date", "14/02/2026")


def test_the_task_is_acknowledged_late_retried_and_time_limited():
    tache = envoyer_relances_task
    assert tache.name == "indicateurs.envoyer_relances"
    assert tache.acks_late and tache.reject_on_worker_lost
    assert tache.retry_backoff and tache.max_retries == 5
    assert OSError in tache.autoretry_for  # SMTP
    assert tache.soft_time_limit < tache.time_limit


def test_the_reminders_are_scheduled_every_day_at_eight_paris_time(db, capsys):
    call_command("planifier_taches")

    tache = PeriodicTask.objects.get(name=NOM_RELANCES)
    assert tache.task == envoyer_relances_task.name
    assert (tache.crontab.hour, tache.crontab.minute, tache.crontab.day_of_week) == ("8", "0", "*")
    assert str(tache.crontab.timezone) == "Europe/Paris"
    assert tache.enabled
    assert f"« {NOM_RELANCES} », tous les jours à 8 h 00" in capsys.readouterr().out

    call_command("planifier_taches")
    assert f"« {NOM_RELANCES} » déjà planifiée : rien à changer" in capsys.readouterr().out


# --- Two runs at once (PostgreSQL) -------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_two_runs_at_once_send_each_reminder_once(programme_charge, postgresql, monkeypatch):
    _jeu()
    envoi = EmailBackend.send_messages

    def envoi_lent(self, messages):
        # The first run holds its claims while it sends: the other's inserts wait on those rows meanwhile.
        time.sleep(0.3)
        return envoi(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", envoi_lent)
    for jour in (AVANT, ECHEANCE, RETARD):
        mail.outbox.clear()
        barriere = threading.Barrier(2)
        resultats: list = []

        def run(jour=jour, barriere=barriere, resultats=resultats):
            try:
                connection.ensure_connection()
                barriere.wait(timeout=30)
                resultats.append(relances.relances_send(jour=jour))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                resultats.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        assert all(isinstance(r, int) for r in resultats), resultats
        # Between them, one e-mail per contact: never twice the same one.
        assert sum(resultats) == len(mail.outbox)
        destinataires = [message.to[0] for message in mail.outbox]
        assert sorted(destinataires) == sorted(set(destinataires))
        assert destinataires.count(ALICE) == 1
    assert RelanceEnvoyee.objects.filter(destinataire__email=ALICE).count() == 3


# --- A real Celery worker on Redis -------------------------------------------------------------------------------


def _messages_du_dossier(dossier: Path) -> list[str]:
    """The messages the file-based backend wrote: one file per connection, messages separated by a line of dashes."""
    return [
        message
        for fichier in sorted(dossier.glob("*.log"))
        for message in fichier.read_text().split("-" * 79)
        if message.strip()
    ]


@pytest.mark.postgresql
@pytest.mark.skipif(not _redis_joignable(), reason="nécessite Redis (CELERY_BROKER_URL=redis://…) joignable")
def test_a_real_worker_running_the_task_twice_sends_one_mail_per_contact_and_step(
    programme_charge,
    postgresql,
    workers,  # noqa: F811
    queue,  # noqa: F811
    tmp_path,
):
    _jeu()
    boite = tmp_path / "courriels"
    boite.mkdir()
    _, journal = workers(queue, EMAIL_FILE_PATH=str(boite))

    for _ in range(2):
        envoyer_relances_task.apply_async(kwargs={"date": AVANT.isoformat()}, queue=queue)

    _attendre(
        lambda: journal.read_text().count("succeeded") == 2,
        delai=90,
        message="tâches non terminées",
        journaux=[journal],
    )
    resultats = re.findall(
        r"Task indicateurs\.envoyer_relances\[[^\]]+\] succeeded in [0-9.]+s: (\d+)", journal.read_text()
    )
    assert sorted(int(n) for n in resultats)[0] == 0  # the second run found everything sent
    messages = _messages_du_dossier(boite)
    assert len(messages) == sum(int(n) for n in resultats)
    a_alice = [m for m in messages if f"To: {ALICE}" in m]
    assert len(a_alice) == 1, messages
    assert "Rappel : date limite dans 15 jours" in a_alice[0]
    assert RelanceEnvoyee.objects.filter(destinataire__email=ALICE).count() == 1
    assert Indicateur.objects.get(code="possibles-emplois").periodes.exists()
