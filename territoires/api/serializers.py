from rest_framework import serializers

from territoires.models import Region, Thematique, TypeTerritoire


class RegionSerializer(serializers.ModelSerializer):
    nb_projets = serializers.IntegerField(read_only=True, help_text="Projets lauréats de la région.")
    directions_regionales = serializers.SlugRelatedField(slug_field="nom", many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["code", "nom", "nature", "nb_projets", "directions_regionales", "modifie_le"]
        read_only_fields = fields


class VocabulaireSerializer(serializers.ModelSerializer):
    nb_projets = serializers.IntegerField(read_only=True)
    variantes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Autres graphies rencontrées dans les fiches."
    )

    class Meta:
        model = Thematique
        fields = ["slug", "libelle", "variantes", "nb_projets", "modifie_le"]
        read_only_fields = fields


class TypeTerritoireSerializer(VocabulaireSerializer):
    # Declared here: a read-only model field would lose its blank choice in the schema.
    categorie = serializers.ChoiceField(
        choices=TypeTerritoire.Categorie.choices, allow_blank=True, read_only=True,
        help_text="Catégorie de taille ; vide lorsque le type en couvre plusieurs (« Villes petites et moyennes »).",
    )  # fmt: skip

    class Meta(VocabulaireSerializer.Meta):
        model = TypeTerritoire
        fields = [*VocabulaireSerializer.Meta.fields, "categorie"]
        read_only_fields = fields
