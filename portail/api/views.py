"""The projects' API: each fiche with its allocated amounts, which financements holds."""

from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from config.api_tools import DetailMixin, ListeMixin
from config.lecture_rapide import accepte_json_rapide, objet_rapide, page_rapide
from laureats.api.serializers import ProjetDetailSerializer, ProjetListSerializer
from laureats.filters import ProjetFilterSet
from laureats.selectors import (
    FICHE_COLONNES,
    FICHE_LISTES,
    fiche_lue,
    projets_avec_vocabulaires,
    vocabulaires_lus,
)
from portail.selectors import projet_detail_queryset, projet_fiche, projet_list


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
    # A page of the list is read by `.values()` and encoded by orjson (config.lecture_rapide), the
    # serializer's fields and methods still deciding what it holds; tests turn it off to compare.
    lecture_rapide = True

    def get_queryset(self):
        if self.action != "retrieve":
            return projet_list()
        # The fast record reads its row by `.values()`, its nested lists as JSON columns: no
        # select_related, no prefetch to build.
        return projet_fiche() if self._fiche_rapide() else projet_detail_queryset()

    def _fiche_rapide(self) -> bool:
        # The record's JSON columns are PostgreSQL's SQL: the development server (SQLite) takes the serializer.
        return (
            self.lecture_rapide
            and connection.vendor == "postgresql"
            and not getattr(self, "_par_serializer", False)
            and accepte_json_rapide(self.request)
        )

    def get_serializer_class(self):
        return ProjetDetailSerializer if self.action == "retrieve" else ProjetListSerializer

    def page_response(self, queryset):
        if not (self.lecture_rapide and self.action == "list" and accepte_json_rapide(self.request)):
            return super().page_response(queryset)
        return page_rapide(
            self,
            projets_avec_vocabulaires(queryset),
            substituts=lambda rangees: [vocabulaires_lus(rangee) for rangee in rangees],
            colonnes=["vocabulaire_thematiques", "vocabulaire_types_territoire"],
            compter=queryset,
        )

    def detail_response(self, queryset):
        # The record in one query (its nested lists as JSON columns), after the ETag's.
        if self._fiche_rapide():
            reponse = objet_rapide(self, queryset, substitut=fiche_lue, colonnes=FICHE_COLONNES, listes=FICHE_LISTES)
            if reponse is not None:
                return reponse
        self._par_serializer = True  # get_object() reads the serializer's queryset (a 404 here)
        return super().detail_response(queryset)
