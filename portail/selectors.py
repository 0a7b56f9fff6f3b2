"""Projects as the portal lists them: the fiche (laureats) with its allocated amounts (financements)."""

from functools import cache

from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery

from financements.models import Allocation, Enveloppe
from laureats.models import Impact, Objectif, Partenariat, Projet
from laureats.selectors import projets_avec_fiche


def _allocation(code: str) -> Subquery:
    # order_by(): Allocation's default ordering would join the project and sort, once per row of the list.
    return Subquery(
        Allocation.objects.filter(projet=OuterRef("pk"), enveloppe__code=code).order_by().values("montant")[:1],
        output_field=DecimalField(max_digits=15, decimal_places=2),
    )


def projet_list() -> QuerySet[Projet]:
    """Projects with what a list shows (region, lead, vocabularies, allocations), in constant queries."""
    return Projet.objects.for_list().annotate(
        subvention_prevue=_allocation(Enveloppe.Code.SUBVENTION),
        investissement_potentiel=_allocation(Enveloppe.Code.INVESTISSEMENT),
    )


def projet_fiche() -> QuerySet[Projet]:
    """Projects with their allocated amounts and what their record nests as JSON columns of the
    same row (laureats.selectors.projets_avec_fiche): what the fast read path of a record reads."""
    # A clone of the one queryset built: resolving its subqueries cost a record a millisecond or two.
    return _projet_fiche().all()


@cache
def _projet_fiche() -> QuerySet[Projet]:
    return projets_avec_fiche(
        Projet.objects.annotate(
            subvention_prevue=_allocation(Enveloppe.Code.SUBVENTION),
            investissement_potentiel=_allocation(Enveloppe.Code.INVESTISSEMENT),
        )
    )


def projet_detail_queryset() -> QuerySet[Projet]:
    """projet_list() plus the fiche's texts and the recorded partnerships."""
    return (
        projet_list()
        .defer(None)
        .prefetch_related(
            Prefetch("objectifs", queryset=Objectif.objects.order_by("ordre").only("projet_id", "ordre", "texte")),
            Prefetch("impacts", queryset=Impact.objects.order_by("ordre").only("projet_id", "ordre", "texte")),
            Prefetch(
                "partenariats",
                queryset=Partenariat.objects.select_related("organisation").order_by("role", "organisation__nom"),
            ),
            "labels",
        )
    )
