"""Conventions: signature commits the amount, tranches sum to it, amendments move it, tranches are paid.

Every refusal leaves the database as it was: no convention, tranche, amendment or
ledger entry, and the running totals unchanged.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from financements import services
from financements.models import Allocation, Avenant, Convention, Engagement, Enveloppe, Tranche, Versement
from laureats.models import Etablissement, Organisation, Partenariat

pytestmark = pytest.mark.django_db
SIGNATURE = datetime.date(2022, 3, 1)


def tranches(*parts, debut=SIGNATURE):
    """Tranches of the given amounts, a year apart from the signature."""
    return [
        {
            "date_prevue": debut.replace(year=debut.year + rang),
            "montant": Decimal(montant),
            "condition": "Sur justificatifs",
        }
        for rang, montant in enumerate(parts)
    ]


def signer(projet, montant="100000.00", parts=("40000.00", "60000.00"), **kwargs):
    donnees = {
        "projet": projet,
        "beneficiaire": projet.chef_de_file,
        "objet": "Étude de préfiguration",
        "date_signature": SIGNATURE,
        "reference": f"CONV-{uuid.uuid4().hex[:8]}",
        "montant": Decimal(montant),
        "tranches": tranches(*parts),
        "by": None,
    }
    return services.convention_create(**{**donnees, **kwargs})


def etat(projet, enveloppe):
    """Everything a refused write must leave untouched."""
    allocation = Allocation.objects.get(projet=projet, enveloppe=enveloppe)
    enveloppe.refresh_from_db()
    return (
        Convention.objects.count(),
        Tranche.objects.count(),
        Avenant.objects.count(),
        Engagement.objects.count(),
        Versement.objects.count(),
        allocation.montant_engage,
        allocation.montant_verse,
        enveloppe.montant_engage,
        enveloppe.montant_verse,
        tuple(Convention.objects.order_by("pk").values_list("montant", flat=True)),
        tuple(Tranche.objects.order_by("pk").values_list("montant", "date_prevue")),
    )


def engage_net(convention):
    """The convention's net commitment, recomputed from its ledger rows."""
    total = Decimal("0.00")
    for ecriture in Engagement.objects.filter(convention=convention):
        total += ecriture.montant if ecriture.nature == "engagement" else -ecriture.montant
    return total


def test_signing_commits_the_amount_and_plans_the_tranches(biovallee, subvention):
    avant = Allocation.objects.get(projet=biovallee, enveloppe=subvention).montant_engage

    convention = signer(biovallee, conditions_versement="echelonne")

    assert convention.montant == Decimal("100000.00") == engage_net(convention)
    ecriture = convention.ecritures.get()
    assert (ecriture.nature, ecriture.reference, ecriture.date) == ("engagement", convention.reference, SIGNATURE)
    assert [t.montant for t in convention.tranches.order_by("numero")] == [Decimal("40000.00"), Decimal("60000.00")]
    allocation = Allocation.objects.get(projet=biovallee, enveloppe=subvention)
    assert allocation.montant_engage == avant + Decimal("100000.00")
    assert convention.history.first().history_change_reason == "Convention enregistrée"


@pytest.mark.parametrize(
    ("changement", "champ"),
    [
        ({"parts": ("40000.00", "50000.00")}, "tranches"),
        ({"tranches": tranches("100000.00", debut=SIGNATURE - datetime.timedelta(days=1))}, "tranches.0.date_prevue"),
        ({"tranches": [{"date_prevue": SIGNATURE, "montant": "100000.00", "condition": " "}]}, "tranches.0.condition"),
        (
            {"tranches": [{"date_prevue": SIGNATURE, "montant": "1e5x", "condition": "À la signature"}]},
            "tranches.0.montant",
        ),
        ({"tranches": []}, "tranches"),
        ({"date_signature": datetime.date(2019, 9, 12)}, "date_signature"),
        ({"date_signature": datetime.date.today() + datetime.timedelta(days=2)}, "date_signature"),
        ({"objet": "x" * 257}, "objet"),
        ({"objet": "  "}, "objet"),
        ({"conditions_versement": "unique"}, "conditions_versement"),
        ({"pourcentage_subvention": "0"}, "pourcentage_subvention"),
        ({"pourcentage_subvention": "100.01"}, "pourcentage_subvention"),
        ({"pourcentage_subvention": "trente"}, "pourcentage_subvention"),
        ({"notification_ue": True, "regime_aide": ""}, "regime_aide"),
        ({"montant": "-5"}, "montant"),
    ],
)
def test_a_refused_convention_writes_nothing(biovallee, subvention, changement, champ):
    avant = etat(biovallee, subvention)
    parts = changement.pop("parts", ("40000.00", "60000.00"))

    with pytest.raises(ValidationError) as refus:
        signer(biovallee, parts=parts, **changement)

    assert champ in refus.value.message_dict, refus.value.message_dict
    assert etat(biovallee, subvention) == avant


def test_the_beneficiary_takes_part_in_the_project(biovallee, vilagil, subvention):
    avant = etat(biovallee, subvention)
    partenaire = Partenariat.objects.filter(projet=biovallee).exclude(organisation=biovallee.chef_de_file).first()
    etrangere = (
        Organisation.objects.exclude(partenariats__projet=biovallee).exclude(pk=biovallee.chef_de_file_id).first()
    )

    with pytest.raises(ValidationError) as refus:
        signer(biovallee, beneficiaire=etrangere)

    assert "ne participe pas au projet" in refus.value.message_dict["beneficiaire"][0]
    assert etat(biovallee, subvention) == avant
    if partenaire is not None:
        assert signer(biovallee, beneficiaire=partenaire.organisation).beneficiaire == partenaire.organisation


def test_the_establishment_belongs_to_the_beneficiary(biovallee, subvention):
    autre = Organisation.objects.exclude(pk=biovallee.chef_de_file_id).first()
    etablissement = Etablissement.objects.create(organisation=autre, siret="73282932000074")
    avant = etat(biovallee, subvention)

    with pytest.raises(ValidationError) as refus:
        signer(biovallee, etablissement=etablissement)

    assert "etablissement" in refus.value.message_dict
    assert etat(biovallee, subvention) == avant


def test_a_convention_above_what_is_left_of_the_planned_subsidy_is_refused(biovallee, subvention):
    allocation = Allocation.objects.get(projet=biovallee, enveloppe=subvention)
    reste = allocation.montant - allocation.montant_engage
    avant = etat(biovallee, subvention)

    with pytest.raises(services.PlafondDepasse) as refus:
        signer(biovallee, montant=reste + Decimal("0.01"), parts=(reste + Decimal("0.01"),))

    assert refus.value.reste == reste
    assert etat(biovallee, subvention) == avant
    assert signer(biovallee, montant=reste, parts=(reste,)).montant == reste


def test_a_subsidy_is_never_committed_released_or_paid_outside_its_convention(biovallee, subvention):
    convention = signer(biovallee)
    engagement = convention.ecritures.get()
    avant = etat(biovallee, subvention)

    with pytest.raises(ValidationError) as sans_convention:
        services.engagement_create(
            projet=biovallee, enveloppe=subvention, montant=Decimal("10.00"), date=SIGNATURE, reference="HORS-1",
            motif="Sans convention", by=None,
        )  # fmt: skip
    with pytest.raises(ValidationError) as liberation:
        services.desengagement_create(
            engagement=engagement, montant=Decimal("10.00"), date=SIGNATURE, reference="HORS-2", motif="Direct", by=None
        )
    with pytest.raises(ValidationError) as sans_tranche:
        services.versement_create(
            engagement=engagement, montant=Decimal("10.00"), date=SIGNATURE, reference="HORS-3", by=None
        )

    assert "enveloppe" in sans_convention.value.message_dict
    assert "avenant" in liberation.value.message_dict["engagement"][0]
    assert "tranche" in sans_tranche.value.message_dict
    assert etat(biovallee, subvention) == avant


def test_paying_a_tranche_in_two_times_then_refusing_more(biovallee, subvention):
    convention = signer(biovallee)
    premiere = convention.tranches.get(numero=1)

    services.tranche_pay(tranche=premiere, montant="15000.00", date=SIGNATURE, reference="V-1", by=None)
    services.tranche_pay(tranche=premiere, montant="25000.00", date=SIGNATURE, reference="V-2", by=None)
    avant = etat(biovallee, subvention)
    with pytest.raises(services.PlafondDepasse) as refus:
        services.tranche_pay(tranche=premiere, montant="0.01", date=SIGNATURE, reference="V-3", by=None)

    assert refus.value.reste == Decimal("0.00")
    assert etat(biovallee, subvention) == avant
    tranche = Tranche.objects.with_verse().get(pk=premiere.pk)
    assert (tranche.verse, tranche.reste) == (Decimal("40000.00"), Decimal("0.00"))
    paye = Versement.objects.filter(tranche=premiere).aggregate(total=Sum("montant"))["total"]
    assert paye == Decimal("40000.00")
    assert Allocation.objects.get(projet=biovallee, enveloppe=subvention).montant_verse >= paye


def test_a_payment_is_not_dated_before_the_convention(biovallee, subvention):
    convention = signer(biovallee)
    avant = etat(biovallee, subvention)

    with pytest.raises(ValidationError) as refus:
        services.tranche_pay(
            tranche=convention.tranches.first(), montant="1.00", date=SIGNATURE - datetime.timedelta(days=1),
            reference="V-TOT", by=None,
        )  # fmt: skip

    assert "date" in refus.value.message_dict
    assert etat(biovallee, subvention) == avant


def test_an_amendment_up_commits_and_adds_to_the_last_unpaid_tranche(biovallee, subvention):
    convention = signer(biovallee)

    avenant = services.avenant_create(
        convention=convention, variation="20000.00", date=SIGNATURE, reference="AV-1", motif="Extension", by=None
    )

    convention.refresh_from_db()
    assert (avenant.numero, avenant.montant_avant, avenant.montant_apres) == (
        1,
        Decimal("100000.00"),
        Decimal("120000.00"),
    )
    assert convention.montant == Decimal("120000.00") == engage_net(convention)
    ecriture = avenant.ecritures.get()
    assert (ecriture.nature, ecriture.montant, ecriture.reference) == ("engagement", Decimal("20000.00"), "AV-1")
    assert "Extension" in ecriture.motif
    assert [t.montant for t in convention.tranches.order_by("numero")] == [Decimal("40000.00"), Decimal("80000.00")]


def test_an_amendment_down_releases_the_newest_commitments_first_and_trims_the_last_tranches(biovallee, subvention):
    convention = signer(biovallee)
    services.avenant_create(
        convention=convention, variation="20000.00", date=SIGNATURE, reference="AV-1", motif="Extension", by=None
    )
    services.tranche_pay(
        tranche=convention.tranches.get(numero=1), montant="40000.00", date=SIGNATURE, reference="V-1", by=None
    )

    avenant = services.avenant_create(
        convention=convention, variation="-50000.00", date=SIGNATURE, reference="AV-2", motif="Réduction", by=None
    )

    convention.refresh_from_db()
    assert convention.montant == Decimal("70000.00") == engage_net(convention)
    liberations = {e.reference: (e.montant, e.engagement_origine.reference) for e in avenant.ecritures.all()}
    assert liberations == {
        "AV-2": (Decimal("20000.00"), "AV-1"),
        "AV-2-2": (Decimal("30000.00"), convention.reference),
    }
    assert [t.montant for t in convention.tranches.order_by("numero")] == [Decimal("40000.00"), Decimal("30000.00")]


def test_an_amendment_cannot_cut_what_is_paid(biovallee, subvention):
    convention = signer(biovallee)
    services.tranche_pay(
        tranche=convention.tranches.get(numero=1), montant="40000.00", date=SIGNATURE, reference="V-1", by=None
    )
    avant = etat(biovallee, subvention)

    with pytest.raises(services.PlafondDepasse) as refus:
        services.avenant_create(
            convention=convention, variation="-60000.01", date=SIGNATURE, reference="AV-9", motif="Trop", by=None
        )

    assert refus.value.reste == Decimal("60000.00")
    assert etat(biovallee, subvention) == avant


def test_an_amendment_above_the_planned_subsidy_writes_nothing(biovallee, subvention):
    convention = signer(biovallee)
    allocation = Allocation.objects.get(projet=biovallee, enveloppe=subvention)
    avant = etat(biovallee, subvention)

    with pytest.raises(services.PlafondDepasse):
        services.avenant_create(
            convention=convention, variation=allocation.montant, date=SIGNATURE, reference="AV-X", motif="Trop", by=None
        )

    assert etat(biovallee, subvention) == avant


def test_a_tranche_spanning_two_commitments_is_paid_by_two_entries(biovallee, subvention):
    convention = signer(biovallee)
    services.avenant_create(
        convention=convention, variation="20000.00", date=SIGNATURE, reference="AV-1", motif="Extension", by=None
    )
    services.tranche_pay(
        tranche=convention.tranches.get(numero=1), montant="40000.00", date=SIGNATURE, reference="V-1", by=None
    )

    versements = services.tranche_pay(
        tranche=convention.tranches.get(numero=2), montant="80000.00", date=SIGNATURE, reference="V-2", by=None
    )

    assert {(v.reference, v.engagement.reference, v.montant) for v in versements} == {
        ("V-2", convention.reference, Decimal("60000.00")),
        ("V-2-2", "AV-1", Decimal("20000.00")),
    }


def test_replanning_keeps_the_total_and_what_was_paid(biovallee, subvention):
    convention = signer(biovallee)
    premiere = convention.tranches.get(numero=1)
    services.tranche_pay(tranche=premiere, montant="10000.00", date=SIGNATURE, reference="V-1", by=None)
    avant = etat(biovallee, subvention)
    plus_tard = SIGNATURE.replace(year=2025)

    refus = []
    for nouvelles in (
        [{"numero": 2, "date_prevue": plus_tard, "montant": "100000.00", "condition": "Sur justificatifs"}],
        [
            {"numero": 1, "date_prevue": SIGNATURE, "montant": "9999.99", "condition": "À la signature"},
            {"numero": 2, "date_prevue": plus_tard, "montant": "90000.01", "condition": "Sur justificatifs"},
        ],
        [
            {"numero": 1, "date_prevue": SIGNATURE, "montant": "40000.00", "condition": "À la signature"},
            {"numero": 2, "date_prevue": plus_tard, "montant": "50000.00", "condition": "Sur justificatifs"},
        ],
    ):
        with pytest.raises(ValidationError) as erreur:
            services.echeancier_update(convention=convention, tranches=nouvelles, motif="Retard du chantier", by=None)
        refus.append(erreur.value.message_dict)
    assert etat(biovallee, subvention) == avant
    assert "tranches" in refus[0]
    assert "tranches.0.montant" in refus[1]
    assert "tranches" in refus[2]

    services.echeancier_update(
        convention=convention,
        tranches=[
            {"numero": 1, "date_prevue": SIGNATURE, "montant": "40000.00", "condition": "À la signature"},
            {"numero": 2, "date_prevue": plus_tard, "montant": "30000.00", "condition": "Sur justificatifs"},
            {"date_prevue": plus_tard.replace(year=2026), "montant": "30000.00", "condition": "À l'achèvement"},
        ],
        motif="Retard du chantier",
        by=None,
    )
    assert list(convention.tranches.order_by("numero").values_list("numero", "montant", "date_prevue")) == [
        (1, Decimal("40000.00"), SIGNATURE),
        (2, Decimal("30000.00"), plus_tard),
        (3, Decimal("30000.00"), plus_tard.replace(year=2026)),
    ]


def test_the_database_refuses_a_subsidy_entry_outside_a_convention(postgresql, biovallee, vilagil, subvention):
    convention = signer(biovallee)
    autre = signer(vilagil)
    engagement = convention.ecritures.get()
    allocation = Allocation.objects.get(projet=biovallee, enveloppe=subvention)
    commun = {
        "projet": biovallee, "enveloppe": subvention, "allocation": allocation, "montant": Decimal("1.00"),
        "date": SIGNATURE, "motif": "Écrit hors service", "engage_projet_avant": 0, "engage_projet_apres": 1,
    }  # fmt: skip

    with pytest.raises(IntegrityError, match="sans convention"), transaction.atomic():
        Engagement.objects.create(reference="SQL-1", **commun)
    with pytest.raises(IntegrityError, match="hors du projet"), transaction.atomic():
        Engagement.objects.create(reference="SQL-2", convention=autre, **commun)
    versement = {
        "engagement": engagement, "montant": Decimal("1.00"), "date": SIGNATURE,
        "verse_engagement_avant": 0, "verse_engagement_apres": 1,
    }  # fmt: skip
    with pytest.raises(IntegrityError, match="sans tranche"), transaction.atomic():
        Versement.objects.create(reference="SQL-3", **versement)
    with pytest.raises(IntegrityError, match="sans tranche"), transaction.atomic():
        Versement.objects.create(reference="SQL-4", tranche=autre.tranches.first(), **versement)


def test_equity_is_committed_without_a_convention(biovallee):
    investissement = Enveloppe.objects.get(code="investissement")

    engagement = services.engagement_create(
        projet=biovallee, enveloppe=investissement, montant=Decimal("5000.00"), date=SIGNATURE, reference="FP-1",
        motif="Prise de participation", by=None,
    )  # fmt: skip

    assert engagement.convention is None


def test_an_amendment_can_release_a_whole_unpaid_convention(biovallee, subvention):
    convention = signer(biovallee, conditions_versement="echelonne")

    services.avenant_create(
        convention=convention, variation="-100000.00", date=SIGNATURE, reference="AV-RES", motif="Résiliation", by=None
    )

    convention.refresh_from_db()
    assert convention.montant == Decimal("0.00") == engage_net(convention)
    assert not convention.tranches.exists()
