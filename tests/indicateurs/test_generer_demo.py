"""`manage.py generer_demo`: marked synthetic data through the services, removable with one command."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config.chargement import FIXTURES_DIR
from financements.models import Allocation, Engagement, Enveloppe, Versement
from indicateurs.demo import MARQUE, PREFIXE
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure
from laureats.models import Impact, Projet
from tests.indicateurs.factories import MesureFactory

pytestmark = pytest.mark.django_db


def _presse() -> list:
    """What came from the press kit: projects, impacts, indicators, allocated amounts."""
    return [
        list(Projet.objects.order_by("pk").values()),
        list(Impact.objects.order_by("pk").values()),
        list(Indicateur.objects.order_by("pk").values()),
        list(Allocation.objects.order_by("pk").values_list("montant", flat=True)),
    ]


def _fichiers() -> dict:
    return {p.name: p.read_bytes() for p in FIXTURES_DIR.glob("*.json")}


def test_it_fills_marked_measurements_commitments_and_disbursements_and_evaluates():
    presse, fichiers = _presse(), _fichiers()

    call_command("generer_demo")

    assert Mesure.objects.filter(demo=True).count() > 300
    assert not Mesure.objects.filter(demo=False).exists()
    assert Mesure.objects.filter(statut=Mesure.Statut.SOUMISE).exists()  # something for the officers' queue
    assert Engagement.objects.count() > 10
    assert all(e.reference.startswith(PREFIXE) and e.motif.startswith(MARQUE) for e in Engagement.objects.all())
    assert Versement.objects.exists()
    enveloppe = Enveloppe.objects.get(code="subvention")
    assert 0 < enveloppe.montant_verse <= enveloppe.montant_engage <= enveloppe.plafond
    assert Evaluation.objects.values("date").distinct().count() >= 5
    assert ChangementStatut.objects.exists()
    assert _presse() == presse and _fichiers() == fichiers


def test_it_refuses_to_run_twice():
    call_command("generer_demo")
    with pytest.raises(CommandError, match="existent déjà"):
        call_command("generer_demo")


def test_one_command_removes_everything_it_wrote_and_restores_the_totals():
    reelle = MesureFactory(validee=True)
    presse = _presse()
    call_command("generer_demo")

    call_command("generer_demo", "--supprimer")

    assert list(Mesure.objects.all()) == [reelle]
    assert not Engagement.objects.exists() and not Versement.objects.exists()
    assert set(Enveloppe.objects.values_list("montant_engage", "montant_verse")) == {(0, 0)}
    assert not Allocation.objects.exclude(montant_engage=0).exists()
    # Evaluations computed from demo values are gone; those of indicators it left empty were right anyway.
    assert not Evaluation.objects.exclude(indicateur=reelle.indicateur).exclude(statut="non_renseigne").exists()
    assert not ChangementStatut.objects.exclude(indicateur=reelle.indicateur).exists()
    assert _presse() == presse


def test_the_ledger_stays_immutable_after_the_removal(postgresql):
    from django.db import IntegrityError, transaction

    call_command("generer_demo")
    call_command("generer_demo", "--supprimer")
    call_command("generer_demo")

    with pytest.raises(IntegrityError, match="immuable"), transaction.atomic():
        # Reversals, which no other entry holds: Django lets the DELETE through, the trigger refuses it.
        Versement.objects.filter(nature=Versement.Nature.ANNULATION).delete()
    with pytest.raises(IntegrityError, match="immuable"), transaction.atomic():
        Engagement.objects.update(motif="modifié")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname LIKE 'financements_%_immuable'")
        assert {row[0] for row in cursor.fetchall()} == {"O"}  # enabled


def test_the_same_seed_gives_the_same_data():
    call_command("generer_demo", "--graine", "7")
    premiere = json.dumps(list(Mesure.objects.order_by("indicateur_id", "date").values_list("valeur", flat=True)),
                          default=str)  # fmt: skip
    call_command("generer_demo", "--supprimer")
    call_command("generer_demo", "--graine", "7")
    seconde = json.dumps(list(Mesure.objects.order_by("indicateur_id", "date").values_list("valeur", flat=True)),
                         default=str)  # fmt: skip
    assert premiere == seconde


def test_it_writes_corrections_too_so_that_clients_meet_every_kind_of_ledger_entry():
    call_command("generer_demo")

    desengagements = Engagement.objects.filter(nature=Engagement.Nature.DESENGAGEMENT)
    annulations = Versement.objects.filter(nature=Versement.Nature.ANNULATION)
    assert desengagements.exists() and annulations.exists()
    assert not desengagements.filter(engagement_origine=None).exists()
    assert not annulations.filter(versement_origine=None).exists()
    assert all(e.reference.startswith(PREFIXE) and e.motif.startswith(MARQUE) for e in desengagements)
    enveloppe = Enveloppe.objects.get(code="subvention")
    assert 0 < enveloppe.montant_verse <= enveloppe.montant_engage


def test_an_author_signs_the_corrections_and_the_latest_values_the_rest_stays_the_systems():
    from tests.factories import compte

    charge = compte("charge", "demo-charge")
    call_command("generer_demo", "--auteur", "demo-charge")

    for modele in (Engagement, Versement):
        assert set(modele.objects.exclude(nature=modele.Nature.choices[0][0]).values_list("auteur", flat=True)) == {
            charge.pk
        }
        assert set(modele.objects.filter(nature=modele.Nature.choices[0][0]).values_list("auteur", flat=True)) == {None}
    assert set(Mesure.objects.values_list("auteur", flat=True)) == {None, charge.pk}


def test_an_unknown_author_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="Compte inconnu « personne »"):
        call_command("generer_demo", "--auteur", "personne")
    assert not Mesure.objects.exists() and not Engagement.objects.exists()
