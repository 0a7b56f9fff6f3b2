import django_filters

from config.api_tools import StrictBooleanFilter
from financements.models import Engagement, Enveloppe, Versement


class EngagementFilterSet(django_filters.FilterSet):
    """Filters shared by the API and the HTML ledger."""

    projet = django_filters.CharFilter(field_name="projet__slug", label="Projet (identifiant)")
    enveloppe = django_filters.ChoiceFilter(field_name="enveloppe__code", choices=Enveloppe.Code.choices)
    region = django_filters.CharFilter(field_name="projet__region__code", label="Région (code INSEE)")
    date_min = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Date à partir du")
    date_max = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Date jusqu'au")
    montant_min = django_filters.NumberFilter(field_name="montant", lookup_expr="gte", label="Montant minimum")
    montant_max = django_filters.NumberFilter(field_name="montant", lookup_expr="lte", label="Montant maximum")
    depasse_potentiel = StrictBooleanFilter(label="Au-delà du potentiel d'investissement")

    class Meta:
        model = Engagement
        fields = ["projet", "enveloppe", "region", "nature", "date_min", "date_max", "depasse_potentiel"]


class VersementFilterSet(django_filters.FilterSet):
    projet = django_filters.CharFilter(field_name="engagement__projet__slug", label="Projet (identifiant)")
    enveloppe = django_filters.ChoiceFilter(field_name="engagement__enveloppe__code", choices=Enveloppe.Code.choices)
    region = django_filters.CharFilter(field_name="engagement__projet__region__code", label="Région (code INSEE)")
    engagement = django_filters.UUIDFilter(field_name="engagement__uid", label="Engagement (identifiant)")
    date_min = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Date à partir du")
    date_max = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Date jusqu'au")
    montant_min = django_filters.NumberFilter(field_name="montant", lookup_expr="gte", label="Montant minimum")
    montant_max = django_filters.NumberFilter(field_name="montant", lookup_expr="lte", label="Montant maximum")

    class Meta:
        model = Versement
        fields = ["projet", "enveloppe", "region", "engagement", "nature", "date_min", "date_max"]
