"""The projects' API: each fiche with its allocated amounts, which financements holds."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from config.api_tools import DetailMixin, ListeMixin
from laureats.api.serializers import ProjetDetailSerializer, ProjetListSerializer
from laureats.filters import ProjetFilterSet
from portail.selectors import projet_detail_queryset, projet_list


@extend_schema_view(
    list=extend_schema(summary="Liste des projets lauréats", tags=["Projets"]),
    retrieve=extend_schema(summary="Fiche d'un projet lauréat", tags=["Projets"]),
)
class ProjetViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    """Les 24 projets lauréats tels que le dossier de presse les publie. Lecture publique."""

    lookup_field = "slug"
    filterset_class = ProjetFilterSet
    # A project's record also changes when its allocations do: their writes touch the project.
    updated_since_field = "modifie_le"
    # What the record reads from other tables (its nested texts and partnerships touch the project).
    etag_sources = ("chef_de_file__modifie_le", "region__modifie_le", "partenariats__organisation__modifie_le")
    search_fields = ["titre", "chef_de_file__nom", "ambition"]
    ordering_fields = ["titre", "ordre", "population_concernee", "budget_previsionnel", "subvention_prevue"]
    ordering = ["ordre"]

    def get_queryset(self):
        return projet_detail_queryset() if self.action == "retrieve" else projet_list()

    def get_serializer_class(self):
        return ProjetDetailSerializer if self.action == "retrieve" else ProjetListSerializer
