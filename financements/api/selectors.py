"""The API's reads of conventions and tranches, on the schedule's one definition of what is paid.

What is paid on a tranche (`verse`, `reste`) is `TrancheQuerySet.with_verse`, a correlated
subquery of the tranches' query: a page of conventions costs the same number of queries
whatever their schedules. Lateness is `TrancheQuerySet.en_retard`'s rule (planned before
the day, not fully paid), written here as a column so that every tranche carries it;
tests/api/test_conventions.py checks both against the model's queryset and the services.
"""

import datetime

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from financements.models import Avenant, Convention, Tranche


def tranches_annotees(*, jour: datetime.date | None = None) -> QuerySet[Tranche]:
    """Tranches with `verse` (net paid), `reste` (planned less paid) and `en_retard` on `jour` (today in Paris)."""
    jour = jour or timezone.localdate()
    return Tranche.objects.with_verse().annotate(
        en_retard=Case(
            When(Q(date_prevue__lt=jour) & Q(reste__gt=0), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def convention_list() -> QuerySet[Convention]:
    """Conventions with what the API shows: project, beneficiary, establishment, schedule and amendments.

    A page costs three queries whatever its size: the conventions, their tranches, their amendments.
    """
    return Convention.objects.select_related("projet", "beneficiaire", "etablissement").prefetch_related(
        Prefetch("tranches", queryset=tranches_annotees().order_by("numero")),
        Prefetch("avenants", queryset=Avenant.objects.order_by("numero")),
    )


def tranche_list() -> QuerySet[Tranche]:
    """Every convention's tranches, by planned date, with their convention, project and beneficiary."""
    return (
        tranches_annotees()
        .select_related("convention__projet", "convention__beneficiaire")
        .order_by("date_prevue", "convention_id", "numero")
    )
