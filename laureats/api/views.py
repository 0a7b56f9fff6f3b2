from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from config.api_tools import DetailMixin, ListeMixin
from laureats.api.serializers import OrganisationSerializer
from laureats.selectors import organisation_list


@extend_schema_view(
    list=extend_schema(summary="Organisations (chefs de file et partenaires)", tags=["Organisations"]),
    retrieve=extend_schema(summary="Une organisation", tags=["Organisations"]),
)
class OrganisationViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    """Organisations engagées dans les projets, identifiées par leur slug (et leur SIREN s'il est connu)."""

    lookup_field = "slug"
    etag_comptes = ("partenariats",)  # nb_projets
    serializer_class = OrganisationSerializer
    filterset_fields = ["nature", "siren"]
    search_fields = ["nom", "siren"]
    ordering_fields = ["nom", "nb_projets"]
    ordering = ["nom"]

    def get_queryset(self):
        return organisation_list()
