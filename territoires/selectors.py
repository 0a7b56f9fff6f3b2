from django.db.models import Count, Prefetch, QuerySet

from territoires.models import DirectionRegionale, Region, Thematique, TypeTerritoire


def region_list() -> QuerySet[Region]:
    """Regions with their number of laureates and their directorates, in two queries."""
    return Region.objects.annotate(nb_projets=Count("projets", distinct=True)).prefetch_related(
        Prefetch("directions_regionales", queryset=DirectionRegionale.objects.only("id", "nom"))
    )


def thematique_list() -> QuerySet[Thematique]:
    return Thematique.objects.annotate(nb_projets=Count("projets", distinct=True))


def type_territoire_list() -> QuerySet[TypeTerritoire]:
    return TypeTerritoire.objects.annotate(nb_projets=Count("projets", distinct=True))
