import django_filters

from config.api_tools import StrictBooleanFilter
from config.identifiants import INDICATEUR, PROJET, REGION, IdentifiantFilter
from indicateurs.models import EtatPeriode, Indicateur, Mesure, Periode
from laureats.models import Projet
from territoires.models import Region


class IndicateurFilterSet(django_filters.FilterSet):
    """Filters shared by the API and the HTML programme view."""

    projet = IdentifiantFilter(
        field_name="impact__projet", to_field_name="slug", queryset=Projet.objects.all(), label="Projet (identifiant)",
        identifiant=PROJET,
    )  # fmt: skip
    region = IdentifiantFilter(
        field_name="impact__projet__region", to_field_name="code", queryset=Region.objects.all(),
        label="Région (code INSEE)", identifiant=REGION,
    )  # fmt: skip

    class Meta:
        model = Indicateur
        fields = ["projet", "region", "sens", "mode"]


class ParIndicateurFilterSet(django_filters.FilterSet):
    """By indicator and by project, for the rows that belong to an indicator (measurements, periods)."""

    indicateur = IdentifiantFilter(
        field_name="indicateur", to_field_name="code", queryset=Indicateur.objects.all(), label="Indicateur (code)",
        identifiant=INDICATEUR,
    )  # fmt: skip
    projet = IdentifiantFilter(
        field_name="indicateur__impact__projet", to_field_name="slug", queryset=Projet.objects.all(),
        label="Projet (identifiant)", identifiant=PROJET,
    )  # fmt: skip


class MesureFilterSet(ParIndicateurFilterSet):
    demo = StrictBooleanFilter(label="Données de démonstration")

    class Meta:
        model = Mesure
        fields = ["indicateur", "projet", "statut", "demo"]


class PeriodeFilterSet(ParIndicateurFilterSet):
    """Filters of the reporting periods; `etat` reads the state annotated by the selector."""

    etat = django_filters.ChoiceFilter(choices=EtatPeriode.choices, label="État de la période")

    class Meta:
        model = Periode
        fields = ["etat", "indicateur", "projet"]
