import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from config.api_tools import StrictBooleanFilter
from config.identifiants import PROJET, REGION, IdentifiantFilter
from financements.models import Engagement, Enveloppe, Versement
from laureats.models import Projet
from territoires.models import Region

NATURES = [*Engagement.Nature.choices, *Versement.Nature.choices]


# EXISTS probes the projects' region index; a join then DISTINCT would read every project.
REGIONS_DES_PROJETS = Region.objects.filter(Exists(Projet.objects.filter(region=OuterRef("pk")))).order_by("nom")


class GrandLivreFilterSet(django_filters.FilterSet):
    """The ledger's filters, the same for commitments and disbursements, in the API and the HTML ledger.

    Every filter is a choice taken from the data: an unknown envelope, region or
    project is an error (400 in the API, a message on the page), never "no filter".
    `projet_path` is the path from an entry to its project.
    """

    projet_path = "projet"

    enveloppe = django_filters.ChoiceFilter(
        choices=Enveloppe.Code.choices, method="filter_enveloppe", label="Enveloppe"
    )
    region = IdentifiantFilter(
        queryset=REGIONS_DES_PROJETS, to_field_name="code", method="filter_region", label="Région",
        empty_label="Toutes", identifiant=REGION,
    )  # fmt: skip
    projet = IdentifiantFilter(
        queryset=Projet.objects.order_by("titre").only("slug", "titre"), to_field_name="slug",
        method="filter_projet", label="Projet", empty_label="Tous", identifiant=PROJET,
    )  # fmt: skip
    nature = django_filters.ChoiceFilter(choices=NATURES, method="filter_nature", label="Nature de l'écriture")
    date_min = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Date à partir du")
    date_max = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Date jusqu'au")
    montant_min = django_filters.NumberFilter(field_name="montant", lookup_expr="gte", label="Montant minimum")
    montant_max = django_filters.NumberFilter(field_name="montant", lookup_expr="lte", label="Montant maximum")

    # The filters the HTML ledger shows; the API also takes the amounts (and its own extras).
    CHAMPS_HTML = ("enveloppe", "region", "projet", "nature", "date_min", "date_max")

    def filter_enveloppe(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        chemin = "enveloppe__code" if self.projet_path == "projet" else "engagement__enveloppe__code"
        return queryset.filter(**{chemin: value})

    def filter_region(self, queryset: QuerySet, name: str, value: Region) -> QuerySet:
        return queryset.filter(**{f"{self.projet_path}__region": value})

    def filter_projet(self, queryset: QuerySet, name: str, value: Projet) -> QuerySet:
        return queryset.filter(**{self.projet_path: value})

    def filter_nature(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A disbursement nature on commitments (or the reverse) selects nothing, as on the page's other tab.
        return queryset.filter(nature=value)


class EngagementFilterSet(GrandLivreFilterSet):
    """Filters shared by the API and the HTML ledger."""

    depasse_potentiel = StrictBooleanFilter(label="Au-delà du potentiel d'investissement")

    class Meta:
        model = Engagement
        fields = ["projet", "enveloppe", "region", "nature", "date_min", "date_max", "depasse_potentiel"]


class VersementFilterSet(GrandLivreFilterSet):
    projet_path = "engagement__projet"

    engagement = django_filters.UUIDFilter(field_name="engagement__uid", label="Engagement (identifiant)")

    class Meta:
        model = Versement
        fields = ["projet", "enveloppe", "region", "engagement", "nature", "date_min", "date_max"]
