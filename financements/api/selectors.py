"""The API's reads of conventions and tranches: what is paid on each tranche and whether it is late, in SQL.

`services.tranche_verse` reads one tranche's paid amount with one query; a list of
conventions with their schedules would cost one per tranche. Here the same sum
(disbursements less reversals on the tranche) is a correlated subquery of the
tranches' query, so a page of conventions costs the same number of queries whatever
their tranches. tests/api/test_conventions.py checks it against tranche_verse.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from financements.models import Avenant, Convention, Tranche, Versement

_MONTANT = DecimalField(max_digits=15, decimal_places=2)


def _verse_sur_la_tranche() -> Coalesce:
    """Net amount paid on the tranche of the outer query: disbursements less reversals, 0 when none."""
    nets = (
        Versement.objects.filter(tranche=OuterRef("pk"))
        .order_by()
        .values("tranche")
        .annotate(
            total=Sum(
                Case(
                    When(nature=Versement.Nature.ANNULATION, then=-F("montant")),
                    default=F("montant"),
                    output_field=_MONTANT,
                )
            )
        )
        .values("total")
    )
    return Coalesce(Subquery(nets[:1], output_field=_MONTANT), Value(Decimal("0.00")), output_field=_MONTANT)


def tranches_annotees(*, aujourdhui: datetime.date | None = None) -> QuerySet[Tranche]:
    """Tranches with `verse` (net paid), `reste` (planned less paid) and `en_retard`.

    A tranche is late when its planned date is past (before today) and it is not fully paid.
    """
    aujourdhui = aujourdhui or timezone.localdate()
    return Tranche.objects.annotate(
        verse=_verse_sur_la_tranche(),
        reste=ExpressionWrapper(F("montant") - F("verse"), output_field=_MONTANT),
        en_retard=Case(
            When(Q(date_prevue__lt=aujourdhui) & Q(reste__gt=0), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
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
