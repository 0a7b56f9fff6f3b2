from rest_framework import serializers

from territoires.models import Region, Thematique, TypeTerritoire


class RegionSerializer(serializers.ModelSerializer):
    nb_projets = serializers.IntegerField(read_only=True, help_text="Projets lauréats de la région.")
    directions_regionales = serializers.SlugRelatedField(slug_field="nom", many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["code", "nom", "nature", "nb_projets", "directions_regionales", "modifie_le"]


class VocabulaireSerializer(serializers.ModelSerializer):
    nb_projets = serializers.IntegerField(read_only=True)

    class Meta:
        model = Thematique
        fields = ["slug", "libelle", "variantes", "nb_projets", "modifie_le"]


class TypeTerritoireSerializer(VocabulaireSerializer):
    class Meta(VocabulaireSerializer.Meta):
        model = TypeTerritoire
        fields = [*VocabulaireSerializer.Meta.fields, "categorie"]
