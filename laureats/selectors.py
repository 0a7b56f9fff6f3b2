from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from config.recherche import contient
from laureats.models import Etablissement, Organisation, Partenariat, Projet, ProjetThematique, ProjetTypeTerritoire


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(nb_projets=Count("partenariats__projet", distinct=True)).prefetch_related(
        Prefetch("etablissements", queryset=Etablissement.objects.only("organisation_id", "siret", "libelle"))
    )


def organisations_a_completer() -> QuerySet[Organisation]:
    """Organisations taking part in a project (lead or partner) that the open data cannot name yet.

    A published subsidy names its beneficiary by a SIRET (with the organisation's SIREN)
    or, for an association, by its RNA number: one of the two must be entered.
    Each organisation comes with the projects it takes part in (`projets_lies`, by title).
    """
    participe = Exists(Partenariat.objects.filter(organisation=OuterRef("pk"))) | Exists(
        Projet.objects.filter(chef_de_file=OuterRef("pk"))
    )
    a_un_siret = Exists(Etablissement.objects.filter(organisation=OuterRef("pk")))
    projets = Projet.objects.only("slug", "titre", "chef_de_file_id").order_by("titre")
    return (
        Organisation.objects.filter(participe, rna="")
        .filter(Q(siren="") | ~a_un_siret)
        .annotate(a_un_siret=a_un_siret)
        .prefetch_related(
            Prefetch("projets_portes", queryset=projets, to_attr="projets_chef_de_file"),
            Prefetch(
                "partenariats",
                queryset=Partenariat.objects.select_related("projet").only(
                    "organisation_id", "role", "projet__slug", "projet__titre"
                ),
                to_attr="partenariats_liste",
            ),
        )
        .order_by("nom")
    )


def projets_sans_cycle_de_vie() -> QuerySet[Projet]:
    """Projects whose start date is not entered yet: their status alone does not say where they stand."""
    return Projet.objects.filter(date_debut__isnull=True).select_related("region").order_by("ordre", "titre")


def projet_search(projets: QuerySet[Projet], texte: str) -> QuerySet[Projet]:
    """Every word in the title, the lead's name or the ambition, accents aside, as the API's `search` does."""
    for mot in texte.replace(",", " ").split():
        trouve = contient("titre", mot) | contient("chef_de_file__nom", mot) | contient("ambition", mot)
        projets = projets.filter(trouve)
    return projets


def vocabulaires_des_projets(ids) -> dict[int, SimpleNamespace]:
    """By project id, its fiche's themes and territory types as `for_list()` prefetches them
    (`thematiques_liste`, `types_territoire_liste`, in the fiche's order), read in two queries
    of plain values: what the API's fast read path hands the list serializer's methods."""
    projets = {pk: SimpleNamespace(thematiques_liste=[], types_territoire_liste=[]) for pk in ids}
    for projet_id, libelle_fiche, slug, libelle in (
        ProjetThematique.objects.filter(projet_id__in=projets)
        .order_by("ordre")
        .values_list("projet_id", "libelle_fiche", "thematique__slug", "thematique__libelle")
    ):
        projets[projet_id].thematiques_liste.append(
            SimpleNamespace(libelle_fiche=libelle_fiche, thematique=SimpleNamespace(slug=slug, libelle=libelle))
        )
    for projet_id, libelle_fiche, slug, libelle in (
        ProjetTypeTerritoire.objects.filter(projet_id__in=projets)
        .order_by("ordre")
        .values_list("projet_id", "libelle_fiche", "type_territoire__slug", "type_territoire__libelle")
    ):
        projets[projet_id].types_territoire_liste.append(
            SimpleNamespace(libelle_fiche=libelle_fiche, type_territoire=SimpleNamespace(slug=slug, libelle=libelle))
        )
    return projets
