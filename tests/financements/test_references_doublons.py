"""A reference twice in an envelope: the race the insert catches, and the twins older than the trigger.

The services check a reference before writing, then the database refuses a
twin committed in between. That window cannot be opened on demand by threads,
so the tests below hand the service's own steps the row the race would leave:
the model validation must let it through to the insert, and the insert's
refusal must come back as the same sentence as a sequential refusal.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from financements import services as ecritures
from financements.models import Allocation, Engagement, Enveloppe, Versement
from tests import grand_livre as services

pytestmark = pytest.mark.django_db
JOUR = datetime.date(2024, 3, 1)
NNBSP = "\u202f"


def engager(projet, enveloppe, *, reference, montant="1000.00", date=JOUR) -> Engagement:
    return services.engagement_create(
        projet=projet, enveloppe=enveloppe, montant=Decimal(montant), date=date, reference=reference,
        motif="Convention signée", by=None,
    )  # fmt: skip


def jumeau_engagement(projet, enveloppe, *, reference, convention=None) -> Engagement:
    """The commitment a second officer was writing when the first one committed the same reference."""
    return Engagement(
        projet=projet, enveloppe=enveloppe, allocation=Allocation.objects.get(projet=projet, enveloppe=enveloppe),
        convention=convention,
        montant=Decimal("5.00"), date=JOUR, reference=reference, motif="Convention signée",
        engage_projet_avant=0, engage_projet_apres=Decimal("5.00"),
    )  # fmt: skip


def tranche(engagement):
    """The tranche a payment of `engagement` pays: a subsidy's is its convention's (one tranche here)."""
    return engagement.convention.tranches.get() if engagement.convention_id else None


def jumeau_versement(engagement, *, reference) -> Versement:
    return Versement(
        engagement=engagement, tranche=tranche(engagement), montant=Decimal("1.00"), date=JOUR, reference=reference,
        verse_engagement_avant=0, verse_engagement_apres=Decimal("1.00"),
    )  # fmt: skip


# --- The race: a twin committed between the check and the insert -------------------------


def test_the_model_validation_leaves_a_twin_reference_to_the_insert(biovallee, vilagil, subvention):
    engager(biovallee, subvention, reference="CP-1")

    # Validated here, the twin would get Django's generic sentence instead of the one naming the first entry.
    ecritures._clean(jumeau_engagement(vilagil, subvention, reference="CP-1"))


def test_the_model_validation_still_checks_the_other_rules(vilagil, subvention):
    jumeau = jumeau_engagement(vilagil, subvention, reference="CP-1")
    jumeau.date = datetime.date(2019, 9, 12)

    with pytest.raises(ValidationError) as excinfo:
        ecritures._clean(jumeau)
    assert "engagement_date_depuis_designation" in str(excinfo.value)


def test_a_twin_commitment_refused_by_the_database_gets_the_sentence_naming_the_first(
    postgresql, biovallee, vilagil, subvention
):
    engager(biovallee, subvention, reference="CP-1", montant="1000000.00")
    # The second officer's convention (a subsidy is committed under one).
    convention = engager(vilagil, subvention, reference="CP-2").convention

    with pytest.raises(ValidationError) as excinfo:
        ecritures._save_entry(
            jumeau_engagement(vilagil, subvention, reference="CP-1", convention=convention), enveloppe=subvention
        )

    assert excinfo.value.message_dict == {
        "reference": [
            f"La référence CP-1 est déjà utilisée dans l'enveloppe Subventions : engagement du 01/03/2024 sur "
            f"{biovallee.titre}, 1{NNBSP}000{NNBSP}000,00 €."
        ]
    }
    assert Engagement.objects.filter(reference="CP-1").count() == 1


def test_a_twin_disbursement_refused_by_the_database_gets_the_sentence_naming_the_first(
    postgresql, biovallee, vilagil, subvention
):
    premier = engager(biovallee, subvention, reference="CP-1")
    services.versement_create(engagement=premier, montant=Decimal("250.00"), date=JOUR, reference="V-1", by=None)
    autre = engager(vilagil, subvention, reference="CP-2")

    with pytest.raises(ValidationError) as excinfo:
        ecritures._save_entry(jumeau_versement(autre, reference="V-1"), enveloppe=subvention)

    assert excinfo.value.message_dict == {
        "reference": [
            f"La référence V-1 est déjà utilisée dans l'enveloppe Subventions : versement du 01/03/2024 sur "
            f"{biovallee.titre} (engagement CP-1), 250,00 €."
        ]
    }
    assert Versement.objects.filter(reference="V-1").count() == 1


def test_naming_the_first_entry_costs_one_query(django_assert_num_queries, biovallee, subvention):
    engagement = engager(biovallee, subvention, reference="CP-1")
    services.versement_create(engagement=engagement, montant=Decimal("1.00"), date=JOUR, reference="V-1", by=None)
    subvention = Enveloppe.objects.get(pk=subvention.pk)

    with django_assert_num_queries(1), pytest.raises(ValidationError):
        ecritures._reference_engagement_libre(enveloppe=subvention, reference="CP-1")
    with django_assert_num_queries(1), pytest.raises(ValidationError):
        ecritures._reference_versement_libre(enveloppe=subvention, reference="V-1")


def test_a_used_reference_is_named_before_any_ceiling_is_checked(biovallee, subvention):
    engagement = engager(biovallee, subvention, reference="CP-1")
    services.versement_create(engagement=engagement, montant=Decimal("1.00"), date=JOUR, reference="V-1", by=None)

    # Beyond the planned subsidy, under a reference already used: the reference is what the officer hears of.
    with pytest.raises(ValidationError) as excinfo:
        engager(biovallee, subvention, reference="CP-1", montant="9000000.00")
    assert excinfo.value.message_dict["reference"][0].startswith("La référence CP-1 est déjà utilisée")
    # Beyond what is left to pay, likewise.
    with pytest.raises(ValidationError) as excinfo:
        services.versement_create(
            engagement=engagement, montant=Decimal("5000.00"), date=JOUR, reference="V-1", by=None
        )
    assert excinfo.value.message_dict["reference"][0].startswith("La référence V-1 est déjà utilisée")


# --- Twins older than the trigger ----------------------------------------------------------


def versement_ancien(engagement, *, reference, date, pk=None) -> Versement:
    """A disbursement written before migration 0004 put the reference trigger in place."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE financements_versement DISABLE TRIGGER financements_versement_coherente")
    try:
        return Versement.objects.create(
            pk=pk, engagement=engagement, tranche=tranche(engagement), montant=Decimal("10.00"), date=date,
            reference=reference,
            verse_engagement_avant=0, verse_engagement_apres=Decimal("10.00"),
        )  # fmt: skip
    finally:
        with connection.cursor() as cursor:
            # The deferred foreign key checks of the insert run now: the table cannot change with them pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE financements_versement ENABLE TRIGGER financements_versement_coherente")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_with_older_twins_the_refusal_names_the_earliest_dated_disbursement(postgresql, biovallee, vilagil, subvention):
    tardif = engager(biovallee, subvention, reference="CP-B")
    precoce = engager(vilagil, subvention, reference="CP-V")
    # Written first, dated last.
    versement_ancien(tardif, reference="V-ANCIEN", date=datetime.date(2024, 5, 2))
    versement_ancien(precoce, reference="V-ANCIEN", date=datetime.date(2024, 4, 1))

    with pytest.raises(ValidationError) as excinfo:
        services.versement_create(engagement=tardif, montant=Decimal("1.00"), date=JOUR, reference="V-ANCIEN", by=None)

    assert excinfo.value.message_dict["reference"] == [
        f"La référence V-ANCIEN est déjà utilisée dans l'enveloppe Subventions : versement du 01/04/2024 sur "
        f"{vilagil.titre} (engagement CP-V), 10,00 €."
    ]


def test_with_older_twins_of_the_same_day_the_refusal_names_the_first_written(
    postgresql, biovallee, vilagil, subvention
):
    tardif = engager(biovallee, subvention, reference="CP-B")
    precoce = engager(vilagil, subvention, reference="CP-V")
    suivant = (Versement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    # Stored in the table in the reverse order of their ids, as a restored dump may leave them.
    versement_ancien(tardif, reference="V-ANCIEN", date=JOUR, pk=suivant + 1)
    versement_ancien(precoce, reference="V-ANCIEN", date=JOUR, pk=suivant)

    with pytest.raises(ValidationError) as excinfo:
        services.versement_create(engagement=tardif, montant=Decimal("1.00"), date=JOUR, reference="V-ANCIEN", by=None)

    assert excinfo.value.message_dict["reference"][0].endswith(f"sur {vilagil.titre} (engagement CP-V), 10,00 €.")


def test_a_disbursement_reference_of_one_envelope_is_free_in_the_other(biovallee, subvention):
    investissement = Enveloppe.objects.get(code="investissement")
    en_subvention = engager(biovallee, subvention, reference="CP-1")
    en_investissement = engager(biovallee, investissement, reference="CP-1")
    services.versement_create(engagement=en_subvention, montant=Decimal("100.00"), date=JOUR, reference="V-1", by=None)

    services.versement_create(
        engagement=en_investissement, montant=Decimal("40.00"), date=JOUR, reference="V-1", by=None
    )

    assert Versement.objects.filter(reference="V-1").count() == 2
    assert Enveloppe.objects.get(pk=investissement.pk).montant_verse == Decimal("40.00")
