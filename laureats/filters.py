import django_filters

from laureats.models import Projet
from territoires.models import Region, Thematique, TypeTerritoire


class ProjetFilterSet(django_filters.FilterSet):
    """Filters shared by the API and the HTML list of projects."""

    region = django_filters.ModelChoiceFilter(
        field_name="region", to_field_name="code", queryset=Region.objects.all(), label="Région (code INSEE)"
    )
    thematique = django_filters.ModelChoiceFilter(
        field_name="thematiques", to_field_name="slug", queryset=Thematique.objects.all(), label="Thématique"
    )
    type_territoire = django_filters.ModelChoiceFilter(
        field_name="types_territoire",
        to_field_name="slug",
        queryset=TypeTerritoire.objects.all(),
        label="Type de territoire",
    )
    chef_de_file = django_filters.CharFilter(field_name="chef_de_file__slug", label="Chef de file (identifiant)")

    class Meta:
        model = Projet
        fields = ["region", "thematique", "type_territoire", "chef_de_file"]
