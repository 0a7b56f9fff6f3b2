"""The daily reminder of overdue tranches: each officer gets the newly overdue tranches, once per tranche.

The reminder claims tranches with a conditional UPDATE; the race test runs two
reminders at once on PostgreSQL (real threads, real connections) and the worker
test runs the task through a real Celery worker on Redis.
"""

import datetime
import re
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from financements import relances, services
from financements.models import Convention, Tranche
from financements.tasks import signaler_tranches_en_retard_task
from indicateurs.management.commands.planifier_taches import NOM_RETARDS
from laureats.models import Projet
from tests.factories import compte
from tests.indicateurs.test_worker import _attendre, _redis_joignable, queue, workers  # noqa: F401 - fixtures

JOUR = datetime.date(2025, 6, 30)
ZERO = Decimal("0.00")


def _convention(projet: Projet, reference: str, tranches: list[tuple[datetime.date, str]], *, by) -> Convention:
    return services.convention_create(
        projet=projet,
        beneficiaire=projet.chef_de_file,
        objet=f"Convention {reference}",
        date_signature=min(d for d, _ in tranches),
        reference=reference,
        montant=sum((Decimal(m) for _, m in tranches), ZERO),
        tranches=[{"date_prevue": d, "montant": m, "condition": "Sur justificatifs"} for d, m in tranches],
        by=by,
    )


def _comptes() -> dict:
    """Two officers with an address; an officer without one, an inactive one; a director and a partner."""
    claire = compte("charge", email="claire@example.org", prenom="Claire")
    marc = compte("charge", email="marc@example.org", prenom="Marc")
    compte("charge")  # no address
    parti = compte("charge", email="parti@example.org")
    parti.is_active = False
    parti.save()
    compte("directeur", email="directrice@example.org", regions=["84", "76"])
    compte("partenaire", email="partenaire@example.org")
    return {"claire": claire, "marc": marc}


def _jeu(by) -> dict:
    """At JOUR: A1 overdue (half paid), A2 paid in full (past), A3 due in the future; B1 overdue."""
    biovallee = Projet.objects.get(slug="biovallee")
    vilagil = Projet.objects.get(slug="vilagil")
    a = _convention(
        biovallee, "CONV-A",
        [(datetime.date(2025, 1, 10), "100000"), (datetime.date(2025, 3, 10), "50000"),
         (datetime.date(2025, 9, 1), "25000")],
        by=by,
    )  # fmt: skip
    a1, a2, a3 = a.tranches.order_by("numero")
    services.tranche_pay(tranche=a1, montant=Decimal("40000"), date="2025-01-20", reference="VA-1", by=by)
    services.tranche_pay(tranche=a2, montant=Decimal("50000"), date="2025-03-01", reference="VA-2", by=by)
    b = _convention(vilagil, "CONV-B", [(datetime.date(2025, 5, 2), "70000")], by=by)
    return {"a": a, "a1": a1, "a2": a2, "a3": a3, "b": b, "b1": b.tranches.get()}


@pytest.fixture
def comptes(db):
    return _comptes()


@pytest.fixture
def jeu(comptes):
    return _jeu(comptes["claire"])


def _destinataires() -> list[str]:
    return sorted(adresse for message in mail.outbox for adresse in message.to)


# --- Who gets what, once -----------------------------------------------------------------------------------------


def test_the_first_run_mails_each_officer_once_with_the_overdue_tranches(jeu):
    assert relances.tranches_en_retard_notify(jour=JOUR) == 2

    assert _destinataires() == ["claire@example.org", "marc@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees another's address
    message = mail.outbox[0]
    assert message.subject == "[Territoires d'Innovation] 2 tranches passées en retard au 30/06/2025"
    corps = message.body
    assert corps.startswith("Bonjour Claire,")
    assert "Convention CONV-A avec Association Biovallée, tranche n° 1" in corps
    assert "Prévue le 10/01/2025, 171 jours de retard : reste 60\u202f000\xa0€ à verser sur 100\u202f000\xa0€" in corps
    assert f"/conventions/{jeu['a'].uid}/" in corps
    assert "Convention CONV-B avec Toulouse Métropole, tranche n° 1" in corps
    assert f"/conventions/{jeu['b'].uid}/" in corps
    assert "Reste à verser sur ces tranches : 130\u202f000\xa0€." in corps
    # Paid in full, or not due yet: never in the mail.
    assert "tranche n° 2" not in corps and "tranche n° 3" not in corps
    assert mail.outbox[1].body.startswith("Bonjour Marc,")


def test_the_claimed_tranches_are_marked_and_the_others_left_alone(jeu):
    relances.tranches_en_retard_notify(jour=JOUR)

    signalees = set(Tranche.objects.filter(retard_signale_le__isnull=False).values_list("pk", flat=True))
    assert signalees == {jeu["a1"].pk, jeu["b1"].pk}


def test_a_second_run_sends_nothing(jeu):
    relances.tranches_en_retard_notify(jour=JOUR)
    mail.outbox.clear()

    assert relances.tranches_en_retard_notify(jour=JOUR) == 0
    assert relances.tranches_en_retard_notify(jour=JOUR + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_a_future_tranche_is_sent_once_it_falls_overdue_and_alone(jeu):
    relances.tranches_en_retard_notify(jour=JOUR)
    mail.outbox.clear()

    assert relances.tranches_en_retard_notify(jour=datetime.date(2025, 9, 1)) == 0  # due today: not overdue yet
    assert relances.tranches_en_retard_notify(jour=datetime.date(2025, 9, 2)) == 2

    corps = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("[Territoires d'Innovation] 1 tranche passée en retard au 02/09/2025")
    assert "CONV-A avec Association Biovallée, tranche n° 3" in corps
    assert "tranche n° 1" not in corps and "CONV-B" not in corps


def test_a_tranche_paid_in_full_is_never_sent(jeu, comptes):
    services.tranche_pay(tranche=jeu["b1"], montant=Decimal("70000"), date="2025-06-01", reference="VB-1", by=None)

    relances.tranches_en_retard_notify(jour=JOUR)
    relances.tranches_en_retard_notify(jour=datetime.date(2026, 1, 1))

    assert all("CONV-B" not in message.body for message in mail.outbox)
    assert not Tranche.objects.filter(pk__in=[jeu["b1"].pk, jeu["a2"].pk], retard_signale_le__isnull=False).exists()


def test_a_tranche_paid_on_time_then_reversed_after_its_date_is_sent_once(jeu, comptes):
    relances.tranches_en_retard_notify(jour=JOUR)
    mail.outbox.clear()
    (versement,) = Tranche.objects.get(pk=jeu["a2"].pk).versements.all()
    services.versement_cancel(
        versement=versement, montant=Decimal("5000"), date="2025-07-01", reference="VA-2-ANN",
        motif="Dépenses non justifiées", by=comptes["claire"],
    )  # fmt: skip

    assert relances.tranches_en_retard_notify(jour=datetime.date(2025, 7, 2)) == 2
    assert "CONV-A avec Association Biovallée, tranche n° 2" in mail.outbox[0].body
    assert "reste 5\u202f000\xa0€ à verser sur 50\u202f000\xa0€" in mail.outbox[0].body
    assert relances.tranches_en_retard_notify(jour=datetime.date(2025, 7, 3)) == 0


def test_directors_partners_and_officers_without_address_or_inactive_get_nothing(jeu):
    relances.tranches_en_retard_notify(jour=JOUR)

    assert _destinataires() == ["claire@example.org", "marc@example.org"]


def test_a_tranche_re_planned_later_is_news_again_when_it_falls_overdue_again(jeu, comptes):
    relances.tranches_en_retard_notify(jour=JOUR)
    mail.outbox.clear()
    services.echeancier_update(
        convention=jeu["b"],
        tranches=[{"numero": 1, "date_prevue": "2025-08-01", "montant": "70000", "condition": "Sur justificatifs"}],
        motif="Travaux décalés",
        by=comptes["claire"],
    )

    assert relances.tranches_en_retard_notify(jour=datetime.date(2025, 7, 15)) == 0  # re-planned: not overdue
    assert relances.tranches_en_retard_notify(jour=datetime.date(2025, 8, 2)) == 2
    assert "CONV-B avec Toulouse Métropole, tranche n° 1" in mail.outbox[0].body
    assert "CONV-A" not in mail.outbox[0].body


def test_a_failed_sending_leaves_the_tranches_for_the_retry(jeu, monkeypatch):
    def panne(self, messages):
        raise ConnectionRefusedError("serveur SMTP injoignable")

    with monkeypatch.context() as m:
        m.setattr(EmailBackend, "send_messages", panne)
        with pytest.raises(ConnectionRefusedError):
            relances.tranches_en_retard_notify(jour=JOUR)

    assert not Tranche.objects.filter(retard_signale_le__isnull=False).exists()
    assert relances.tranches_en_retard_notify(jour=JOUR) == 2


def test_without_an_officer_to_tell_nothing_is_claimed(db):
    _jeu(None)

    assert relances.tranches_en_retard_notify(jour=JOUR) == 0
    assert not Tranche.objects.filter(retard_signale_le__isnull=False).exists()


def test_nothing_overdue_sends_nothing(comptes):
    assert relances.tranches_en_retard_notify(jour=JOUR) == 0
    assert mail.outbox == []


# --- The task and its schedule -----------------------------------------------------------------------------------


def test_the_task_takes_an_iso_date_and_returns_the_number_of_mails(jeu):
    resultat = signaler_tranches_en_retard_task.apply(kwargs={"date": JOUR.isoformat()})

    assert resultat.get() == 2
    assert signaler_tranches_en_retard_task.apply(kwargs={"date": JOUR.isoformat()}).get() == 0


def test_the_task_is_acknowledged_late_retried_and_time_limited():
    tache = signaler_tranches_en_retard_task
    assert tache.name == "financements.signaler_tranches_en_retard"
    assert tache.acks_late and tache.reject_on_worker_lost
    assert tache.retry_backoff and tache.max_retries == 5
    assert OSError in tache.autoretry_for  # SMTP
    # The global limits (config/settings/base.py), which the broker's visibility timeout outlasts.
    assert tache.soft_time_limit < tache.time_limit


def test_the_reminder_is_scheduled_every_day_at_seven_paris_time(db, capsys):
    call_command("planifier_taches")

    tache = PeriodicTask.objects.get(name=NOM_RETARDS)
    assert tache.task == signaler_tranches_en_retard_task.name
    assert (tache.crontab.hour, tache.crontab.minute, tache.crontab.day_of_week) == ("7", "0", "*")
    assert str(tache.crontab.timezone) == "Europe/Paris"
    assert tache.enabled
    assert f"« {NOM_RETARDS} », tous les jours à 7 h 00" in capsys.readouterr().out

    call_command("planifier_taches")
    assert "Signalement quotidien des tranches en retard » déjà planifiée : rien à changer" in capsys.readouterr().out


def test_the_command_sends_the_day_s_reminder_once(jeu, capsys):
    call_command("signaler_tranches_en_retard", "--date", "2025-06-30")
    assert "2 message(s) envoyé(s) pour les tranches en retard au 30/06/2025." in capsys.readouterr().out

    call_command("signaler_tranches_en_retard", "--date", "2025-06-30")
    assert "0 message(s) envoyé(s)" in capsys.readouterr().out
    assert len(mail.outbox) == 2


def test_the_command_refuses_a_date_it_cannot_read(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ attendu"):
        call_command("signaler_tranches_en_retard", "--date", "30/06/2025")


# --- Two runs at once (PostgreSQL) -------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_two_runs_at_once_never_send_a_tranche_twice(programme_charge, postgresql, monkeypatch):
    comptes = _comptes()
    claire = comptes["claire"]
    projets = list(Projet.objects.order_by("ordre")[:4])
    envoi = EmailBackend.send_messages

    def envoi_lent(self, messages):
        # The first run holds its claims while it sends: the second one's UPDATE waits on the rows meanwhile.
        time.sleep(0.5)
        return envoi(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", envoi_lent)
    for tour in range(3):
        jour = JOUR + datetime.timedelta(days=40 * tour)
        for projet in projets:
            _convention(
                projet, f"CONV-{tour}-{projet.pk}",
                [(jour - datetime.timedelta(days=10), "1000"), (jour - datetime.timedelta(days=3), "2000")], by=claire,
            )  # fmt: skip
        mail.outbox.clear()
        barriere = threading.Barrier(2)
        resultats: list = []

        def run(jour=jour, barriere=barriere, resultats=resultats):
            try:
                connection.ensure_connection()
                barriere.wait(timeout=30)
                resultats.append(relances.tranches_en_retard_notify(jour=jour))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                resultats.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        # One run sent to each officer, the other found nothing left to claim.
        assert sorted(resultats, key=str) == [0, 2], resultats
        assert _destinataires() == ["claire@example.org", "marc@example.org"]
        nouvelles = Tranche.objects.filter(convention__reference__startswith=f"CONV-{tour}-")
        assert not nouvelles.filter(retard_signale_le__isnull=True).exists()
        for message in mail.outbox:
            for tranche in nouvelles:
                assert message.body.count(f"Convention {tranche.convention.reference} ") == 2  # its two tranches


# --- A real Celery worker on Redis -------------------------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.skipif(not _redis_joignable(), reason="nécessite Redis (CELERY_BROKER_URL=redis://…) joignable")
def test_a_real_worker_runs_the_reminder(programme_charge, postgresql, workers, queue):  # noqa: F811
    comptes = _comptes()
    aujourdhui = timezone.localdate()
    projet = Projet.objects.get(slug="biovallee")
    convention = _convention(
        projet, "CONV-W",
        [(aujourdhui - datetime.timedelta(days=20), "1000"), (aujourdhui + datetime.timedelta(days=20), "2000")],
        by=comptes["claire"],
    )  # fmt: skip
    echue, future = convention.tranches.order_by("numero")
    _, journal = workers(queue)

    signaler_tranches_en_retard_task.apply_async(queue=queue)

    _attendre(lambda: "succeeded" in journal.read_text(), delai=60, message="tâche non terminée", journaux=[journal])
    traces = journal.read_text()
    # Two e-mails: one per officer with an address.
    assert re.search(r"Task financements\.signaler_tranches_en_retard\[[^\]]+\] succeeded in [0-9.]+s: 2\b", traces)
    echue.refresh_from_db()
    future.refresh_from_db()
    assert echue.retard_signale_le is not None and future.retard_signale_le is None
