import django_filters

from config.identifiants import (
    ORGANISATION,
    REGION,
    THEMATIQUE,
    TYPE_TERRITOIRE,
    IdentifiantFilter,
    IdentifiantTexteFilter,
)
from laureats.models import Projet
from territoires.models import Region, Thematique, TypeTerritoire


class ProjetFilterSet(django_filters.FilterSet):
    """Filters shared by the API and the HTML list of projects."""

    region = IdentifiantFilter(
        field_name="region", to_field_name="code", queryset=Region.objects.all(), label="Région (code INSEE)",
        identifiant=REGION,
    )  # fmt: skip
    thematique = IdentifiantFilter(
        field_name="thematiques", to_field_name="slug", queryset=Thematique.objects.all(), label="Thématique",
        identifiant=THEMATIQUE,
    )  # fmt: skip
    type_territoire = IdentifiantFilter(
        field_name="types_territoire",
        to_field_name="slug",
        queryset=TypeTerritoire.objects.all(),
        label="Type de territoire",
        identifiant=TYPE_TERRITOIRE,
    )
    chef_de_file = IdentifiantTexteFilter(
        field_name="chef_de_file__slug", label="Chef de file (identifiant)", identifiant=ORGANISATION
    )
    statut = django_filters.ChoiceFilter(choices=Projet.Statut.choices, label="Statut", empty_label="Tous")

    class Meta:
        model = Projet
        fields = ["region", "thematique", "type_territoire", "chef_de_file", "statut"]
