from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from config.api_tools import DetailMixin, ListeMixin
from territoires.api.serializers import RegionSerializer, TypeTerritoireSerializer, VocabulaireSerializer
from territoires.selectors import region_list, thematique_list, type_territoire_list


class _PublicReadViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    etag_comptes = ("projets",)  # nb_projets


@extend_schema_view(
    list=extend_schema(summary="Régions (codes INSEE) et nombre de lauréats", tags=["Référentiels"]),
    retrieve=extend_schema(summary="Une région", tags=["Référentiels"]),
)
class RegionViewSet(_PublicReadViewSet):
    """Les 18 régions et la Nouvelle-Calédonie, identifiées par leur code INSEE. Lecture publique."""

    lookup_field = "code"
    serializer_class = RegionSerializer
    search_fields = ["nom"]
    ordering_fields = ["nom", "code", "nb_projets"]
    ordering = ["nom"]

    def get_queryset(self):
        return region_list()


class _VocabulaireViewSet(_PublicReadViewSet):
    """A controlled vocabulary, read by slug, with its spellings and number of projects."""

    lookup_field = "slug"
    search_fields = ["libelle"]
    ordering_fields = ["libelle", "nb_projets"]
    ordering = ["libelle"]
    selector = None

    def get_queryset(self):
        return type(self).selector()


@extend_schema_view(
    list=extend_schema(summary="Thématiques (vocabulaire contrôlé)", tags=["Référentiels"]),
    retrieve=extend_schema(summary="Une thématique et ses variantes d'écriture", tags=["Référentiels"]),
)
class ThematiqueViewSet(_VocabulaireViewSet):
    """Chaque thématique avec les graphies rencontrées dans les fiches. Lecture publique."""

    serializer_class = VocabulaireSerializer
    selector = thematique_list


@extend_schema_view(
    list=extend_schema(summary="Types de territoire (vocabulaire contrôlé)", tags=["Référentiels"]),
    retrieve=extend_schema(summary="Un type de territoire", tags=["Référentiels"]),
)
class TypeTerritoireViewSet(_VocabulaireViewSet):
    """Chaque type de territoire, sa catégorie de taille et ses graphies. Lecture publique."""

    serializer_class = TypeTerritoireSerializer
    selector = type_territoire_list
