"""Filters of the conventions and tranches lists (API)."""

import django_filters
from django.db.models import QuerySet

from config.api_tools import StrictBooleanFilter
from config.identifiants import ORGANISATION, PROJET, REGION, IdentifiantFilter
from financements.filters import REGIONS_DES_PROJETS
from financements.models import Convention, Tranche
from laureats.models import Organisation, Projet


class ConventionFilterSet(django_filters.FilterSet):
    projet = IdentifiantFilter(
        queryset=Projet.objects.only("slug"), to_field_name="slug", label="Projet", identifiant=PROJET
    )
    beneficiaire = IdentifiantFilter(
        queryset=Organisation.objects.only("slug"), to_field_name="slug", label="Bénéficiaire",
        identifiant=ORGANISATION,
    )  # fmt: skip
    region = IdentifiantFilter(
        queryset=REGIONS_DES_PROJETS, to_field_name="code", field_name="projet__region", label="Région",
        identifiant=REGION,
    )  # fmt: skip
    date_min = django_filters.DateFilter(
        field_name="date_signature", lookup_expr="gte", label="Signée à partir du (AAAA-MM-JJ)"
    )
    date_max = django_filters.DateFilter(field_name="date_signature", lookup_expr="lte", label="Signée jusqu'au")

    class Meta:
        model = Convention
        fields = ["projet", "beneficiaire", "region", "date_min", "date_max"]


class TrancheFilterSet(django_filters.FilterSet):
    convention = django_filters.UUIDFilter(field_name="convention__uid", label="Convention (identifiant)")
    projet = IdentifiantFilter(
        queryset=Projet.objects.only("slug"), to_field_name="slug", field_name="convention__projet",
        label="Projet", identifiant=PROJET,
    )  # fmt: skip
    en_retard = StrictBooleanFilter(
        method="filter_en_retard",
        label="En retard : date prévue passée et tranche pas entièrement versée (à la date de la requête)",
    )
    date_min = django_filters.DateFilter(field_name="date_prevue", lookup_expr="gte", label="Prévue à partir du")
    date_max = django_filters.DateFilter(field_name="date_prevue", lookup_expr="lte", label="Prévue jusqu'au")

    class Meta:
        model = Tranche
        fields = ["convention", "projet", "en_retard", "date_min", "date_max"]

    def filter_en_retard(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(en_retard=value)
