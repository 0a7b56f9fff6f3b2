"""`manage.py generer_demo`: marked synthetic data through the services, removable with one command."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Q, Sum, When
from django.utils import timezone

from config.chargement import FIXTURES_DIR
from financements.models import Allocation, Avenant, Convention, Engagement, Enveloppe, Tranche, Versement
from indicateurs.demo import MARQUE, NOM_DEMO, PREFIXE
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure
from laureats.models import Etablissement, Impact, Organisation, Partenariat, Projet
from tests.indicateurs.factories import MesureFactory

pytestmark = pytest.mark.django_db


def _presse() -> list:
    """What came from the press kit: projects, impacts, indicators, allocated amounts.

    Not the projects' modifie_le: the demo's ledger entries touch their projects (the API's sync and ETags).
    """
    champs = [f.attname for f in Projet._meta.concrete_fields if f.name != "modifie_le"]
    return [
        list(Projet.objects.order_by("pk").values(*champs)),
        list(Impact.objects.order_by("pk").values()),
        list(Indicateur.objects.order_by("pk").values()),
        list(Allocation.objects.order_by("pk").values_list("montant", flat=True)),
    ]


def _organisations() -> list:
    """The fiches' organisations and their partnerships, as loaded (no legal identifier)."""
    return [
        list(Organisation.objects.order_by("pk").values()),
        list(Partenariat.objects.order_by("pk").values()),
        list(Etablissement.objects.order_by("pk").values()),
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
    # Marked: a demo reference, and the demo's motif or a demo convention (whose entries the services word).
    assert all(
        e.reference.startswith(PREFIXE) and (e.motif.startswith(MARQUE) or e.convention.objet.startswith(MARQUE))
        for e in Engagement.objects.select_related("convention")
    )
    assert Versement.objects.exists()
    enveloppe = Enveloppe.objects.get(code="subvention")
    assert 0 < enveloppe.montant_verse <= enveloppe.montant_engage <= enveloppe.plafond
    assert Evaluation.objects.values("date").distinct().count() >= 5
    assert ChangementStatut.objects.exists()
    assert _presse() == presse and _fichiers() == fichiers


def _signe(nature: str, positive: str) -> Sum:
    return Sum(
        Case(When(**{nature: positive}, then=F("montant")), default=-F("montant")),
        output_field=DecimalField(max_digits=15, decimal_places=2),
    )


def _verse_par_tranche() -> dict[int, Decimal]:
    return dict(
        Versement.objects.filter(tranche__isnull=False).values("tranche").annotate(net=_signe("nature", "versement"))
        .values_list("tranche", "net")
    )  # fmt: skip


def _luhn(numero: str) -> bool:
    total = 0
    for rang, chiffre in enumerate(reversed(numero)):
        valeur = int(chiffre) * (1 + rang % 2)
        total += valeur // 10 + valeur % 10
    return total % 10 == 0


def test_subsidies_go_through_conventions_with_schedules_paid_and_overdue_tranches():
    call_command("generer_demo")

    conventions = Convention.objects.select_related("projet").annotate(
        nb=Count("tranches"), somme=Sum("tranches__montant")
    )
    assert conventions.count() >= 20
    assert conventions.values("projet").distinct().count() >= 12
    par_projet = Convention.objects.values("projet").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(par_projet) <= {1, 2, 3}
    assert all(c.reference.startswith(PREFIXE) and c.objet.startswith(MARQUE) for c in conventions)
    # Every subsidy entry belongs to a convention, every payment of one to a tranche; equity has neither.
    assert not Engagement.objects.filter(enveloppe__code="subvention", convention=None).exists()
    assert not Versement.objects.filter(engagement__enveloppe__code="subvention", tranche=None).exists()
    assert not Engagement.objects.filter(enveloppe__code="investissement").exclude(convention=None).exists()
    assert Engagement.objects.filter(enveloppe__code="investissement").exists()

    net = dict(
        Engagement.objects.filter(convention__isnull=False).values("convention")
        .annotate(net=_signe("nature", "engagement")).values_list("convention", "net")
    )  # fmt: skip
    for convention in conventions:
        # The tranches sum to the amount, which is the net of the ledger's entries under the convention.
        assert convention.somme == convention.montant == net[convention.pk]
        assert 1 <= convention.nb <= 5  # four planned, one more if a raise came after all was paid
        if convention.conditions_versement == Convention.ConditionsVersement.UNIQUE:
            assert convention.nb == 1
        if convention.conditions_versement == Convention.ConditionsVersement.ECHELONNE:
            assert convention.nb >= 2
        # The beneficiary takes part in the project.
        assert Partenariat.objects.filter(projet=convention.projet, organisation=convention.beneficiaire_id).exists()
    assert not Tranche.objects.filter(date_prevue__lt=F("convention__date_signature")).exists()
    assert not Tranche.objects.filter(date_prevue__gt=datetime.date(2030, 12, 31)).exists()
    assert Tranche.objects.filter(date_prevue__year__gte=2027).exists()
    assert set(Tranche.objects.values_list("condition", flat=True)) >= {
        "À la signature", "À l'achèvement, sur rapport final"
    }  # fmt: skip

    verse = _verse_par_tranche()
    aujourdhui = timezone.localdate()
    tranches = list(Tranche.objects.all())
    payees = [t for t in tranches if verse.get(t.pk, 0) == t.montant]
    en_partie = [t for t in tranches if 0 < verse.get(t.pk, 0) < t.montant]
    en_retard = [t for t in tranches if t.date_prevue < aujourdhui and verse.get(t.pk, 0) < t.montant]
    assert len(payees) >= 5 and len(en_partie) >= 2 and len(en_retard) >= 3
    assert any(verse.get(t.pk, 0) == 0 for t in en_retard)  # overdue with nothing paid at all
    assert not [t for t in tranches if t.date_prevue > aujourdhui and verse.get(t.pk, 0)]  # nothing paid ahead

    # Amendments both ways, their entries pointing back to them.
    assert Avenant.objects.filter(variation__gt=0).exists() and Avenant.objects.filter(variation__lt=0).exists()
    for avenant in Avenant.objects.all():
        signe = avenant.ecritures.aggregate(net=_signe("nature", "engagement"))["net"]
        assert signe == avenant.variation == avenant.montant_apres - avenant.montant_avant

    # Some conventions have every field the SCDL publishes, others are left to complete.
    completes = (
        conventions.exclude(nature_aide="")
        .exclude(conditions_versement="")
        .filter(notification_ue__isnull=False, pourcentage_subvention__isnull=False)
    )
    assert 3 <= completes.count() < conventions.count()
    assert not completes.filter(notification_ue=True, regime_aide="").exists()


def test_only_the_demos_own_organisations_carry_legal_identifiers_and_some_of_their_conventions_are_complete():
    avant = _organisations()

    call_command("generer_demo")

    # The fiches' organisations and partnerships are as loaded: nothing invented for them.
    organisations, partenariats, etablissements = _organisations()
    assert [o for o in organisations if o["id"] in {a["id"] for a in avant[0]}] == avant[0]
    assert [p for p in partenariats if p["id"] in {a["id"] for a in avant[1]}] == avant[1]
    demo = Organisation.objects.filter(nom__startswith=NOM_DEMO)
    assert demo.count() >= 3
    assert {o["id"] for o in organisations} - {a["id"] for a in avant[0]} == set(demo.values_list("pk", flat=True))
    assert {o.nature for o in demo} == {Organisation.Nature.ASSOCIATION, Organisation.Nature.ENTREPRISE}
    for organisation in demo:
        assert organisation.siren or organisation.rna
        assert not organisation.siren or (re.fullmatch(r"[0-9]{9}", organisation.siren) and _luhn(organisation.siren))
        assert not organisation.rna or re.fullmatch(r"W[0-9]{9}", organisation.rna)
        for etablissement in organisation.etablissements.all():
            assert etablissement.siret.startswith(organisation.siren) and _luhn(etablissement.siret)
        # A partner of a project, not its lead, and the beneficiary of a complete convention.
        assert organisation.partenariats.filter(role=Partenariat.Role.PARTENAIRE).exists()
        assert (
            Convention.objects.filter(beneficiaire=organisation)
            .exclude(nature_aide="")
            .exclude(conditions_versement="")
            .filter(notification_ue__isnull=False, pourcentage_subvention__isnull=False)
            .filter(Q(etablissement__isnull=False) | ~Q(beneficiaire__rna=""))
            .exists()
        )
    assert len(etablissements) == Etablissement.objects.filter(organisation__in=demo).count() >= 2


def test_the_ledgers_running_totals_are_the_sums_of_its_entries():
    call_command("generer_demo")

    engage = dict(
        Engagement.objects.values("allocation").annotate(net=_signe("nature", "engagement"))
        .values_list("allocation", "net")
    )  # fmt: skip
    verse = dict(
        Versement.objects.values("engagement__allocation").annotate(net=_signe("nature", "versement"))
        .values_list("engagement__allocation", "net")
    )  # fmt: skip
    for allocation in Allocation.objects.all():
        assert (allocation.montant_engage, allocation.montant_verse) == (
            engage.get(allocation.pk, 0),
            verse.get(allocation.pk, 0),
        )
        assert allocation.montant_verse <= allocation.montant_engage <= allocation.montant
    for enveloppe in Enveloppe.objects.all():
        allocations = enveloppe.allocations.values_list("pk", flat=True)
        assert enveloppe.montant_engage == sum(engage.get(pk, 0) for pk in allocations) > 0
        assert enveloppe.montant_verse == sum(verse.get(pk, 0) for pk in allocations) > 0
        assert enveloppe.montant_engage <= enveloppe.plafond


def test_it_refuses_to_run_twice():
    call_command("generer_demo")
    with pytest.raises(CommandError, match="existent déjà"):
        call_command("generer_demo")


def test_one_command_removes_everything_it_wrote_and_restores_the_totals():
    reelle = MesureFactory(validee=True)
    presse, organisations = _presse(), _organisations()
    call_command("generer_demo")

    call_command("generer_demo", "--supprimer")

    assert list(Mesure.objects.all()) == [reelle]
    assert not Engagement.objects.exists() and not Versement.objects.exists()
    assert not Convention.objects.exists() and not Tranche.objects.exists() and not Avenant.objects.exists()
    assert _organisations() == organisations
    assert not Organisation.objects.filter(nom__startswith=NOM_DEMO).exists()
    # Nor in the histories of changes.
    assert not Organisation.history.filter(nom__startswith=NOM_DEMO).exists()
    assert not Convention.history.exists() and not Engagement.history.exists()
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


def _donnees() -> str:
    return json.dumps(
        [
            list(Mesure.objects.order_by("indicateur_id", "date").values_list("valeur", flat=True)),
            list(
                Tranche.objects.order_by("convention__reference", "numero").values_list(
                    "convention__reference", "convention__beneficiaire__nom", "date_prevue", "montant", "condition"
                )
            ),
            list(Versement.objects.order_by("reference").values_list("reference", "date", "montant")),
            list(Avenant.objects.order_by("reference").values_list("reference", "variation")),
        ],
        default=str,
    )


def test_the_same_seed_gives_the_same_data():
    call_command("generer_demo", "--graine", "7")
    premiere = _donnees()
    call_command("generer_demo", "--supprimer")
    call_command("generer_demo", "--graine", "7")
    assert _donnees() == premiere


def test_it_writes_corrections_too_so_that_clients_meet_every_kind_of_ledger_entry():
    call_command("generer_demo")

    desengagements = Engagement.objects.filter(nature=Engagement.Nature.DESENGAGEMENT)
    annulations = Versement.objects.filter(nature=Versement.Nature.ANNULATION)
    assert desengagements.exists() and annulations.exists()
    assert not desengagements.filter(engagement_origine=None).exists()
    assert not annulations.filter(versement_origine=None).exists()
    # An amendment's releases say which amendment made them, then the demo's motif.
    assert all(e.reference.startswith(PREFIXE) and MARQUE in e.motif for e in desengagements)
    assert desengagements.filter(avenant__isnull=False).exists() and desengagements.filter(avenant=None).exists()
    enveloppe = Enveloppe.objects.get(code="subvention")
    assert 0 < enveloppe.montant_verse <= enveloppe.montant_engage


def test_an_author_signs_the_corrections_and_the_latest_values_the_rest_stays_the_systems():
    from tests.factories import compte

    charge = compte("charge", "demo-charge")
    call_command("generer_demo", "--auteur", "demo-charge")

    # Corrections: releases and reversals, and the amendments' entries (commitments too, for a raise).
    for modele, corrections in (
        (Engagement, ~Q(nature=Engagement.Nature.ENGAGEMENT) | Q(avenant__isnull=False)),
        (Versement, Q(nature=Versement.Nature.ANNULATION)),
    ):
        assert set(modele.objects.filter(corrections).values_list("auteur", flat=True)) == {charge.pk}
        assert set(modele.objects.exclude(corrections).values_list("auteur", flat=True)) == {None}
    assert set(Avenant.objects.values_list("auteur", flat=True)) == {charge.pk}
    assert set(Convention.objects.values_list("auteur", flat=True)) == {None}
    assert set(Mesure.objects.values_list("auteur", flat=True)) == {None, charge.pk}


def test_the_removal_refuses_when_an_officer_amended_a_demo_convention():
    from financements import services

    call_command("generer_demo")
    convention = Convention.objects.filter(tranches__date_prevue__gt=timezone.localdate()).first()
    services.avenant_create(
        convention=convention, variation=Decimal("1000"), date=timezone.localdate(), reference="AV-2024-117",
        motif="Avenant signé par erreur sur une convention de démonstration", by=None,
    )  # fmt: skip
    avant = (Convention.objects.count(), Engagement.objects.count(), Organisation.objects.count())

    with pytest.raises(CommandError, match="Des écritures réelles portent sur"):
        call_command("generer_demo", "--supprimer")
    assert (Convention.objects.count(), Engagement.objects.count(), Organisation.objects.count()) == avant


def test_an_unknown_author_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="Compte inconnu « personne »"):
        call_command("generer_demo", "--auteur", "personne")
    assert not Mesure.objects.exists() and not Engagement.objects.exists() and not Convention.objects.exists()
