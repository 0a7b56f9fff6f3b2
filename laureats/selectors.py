from django.db.models import Count, DecimalField, OuterRef, Prefetch, QuerySet, Subquery

from config.recherche import contient
from financements.models import Allocation, Enveloppe
from laureats.models import Impact, Objectif, Organisation, Partenariat, Projet


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


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(nb_projets=Count("partenariats__projet", distinct=True))


def projet_search(projets: QuerySet[Projet], texte: str) -> QuerySet[Projet]:
    """Every word in the title, the lead's name or the ambition, accents aside, as the API's `search` does."""
    for mot in texte.replace(",", " ").split():
        trouve = contient("titre", mot) | contient("chef_de_file__nom", mot) | contient("ambition", mot)
        projets = projets.filter(trouve)
    return projets
