from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api_tools import LienParIdentifiant
from laureats.models import Etablissement, Organisation, Partenariat, Projet
from territoires.models import Region

MONTANT = {"max_digits": 15, "decimal_places": 2, "read_only": True}


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "nom"]
        read_only_fields = fields


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "nom", "siren", "nature"]
        read_only_fields = fields


class VocabulaireRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    libelle = serializers.CharField(read_only=True)


class ProjetListSerializer(serializers.ModelSerializer):
    region = RegionRefSerializer(read_only=True)
    chef_de_file = OrganisationRefSerializer(read_only=True)
    budget_previsionnel = serializers.DecimalField(
        allow_null=True, help_text="En euros ; null lorsque la fiche n'en donne pas.", **MONTANT
    )
    subvention_prevue = serializers.DecimalField(
        allow_null=True, help_text="Montant prévu de subvention par l'État (PIA), en euros.", **MONTANT
    )
    investissement_potentiel = serializers.DecimalField(
        allow_null=True, help_text="Potentiel d'investissement par l'État (PIA), en euros.", **MONTANT
    )
    thematiques = serializers.SerializerMethodField(help_text="Thématiques dans les termes de la fiche.")
    types_territoire = serializers.SerializerMethodField(help_text="Types de territoire dans les termes de la fiche.")
    thematiques_normalisees = serializers.SerializerMethodField(help_text="Entrées du vocabulaire contrôlé.")
    types_territoire_normalises = serializers.SerializerMethodField(help_text="Entrées du vocabulaire contrôlé.")
    url = LienParIdentifiant(view_name="api:projet-detail", lookup_field="slug")

    class Meta:
        model = Projet
        fields = [
            "slug",
            "url",
            "titre",
            "region",
            "chef_de_file",
            "nb_partenaires_declares",
            "nb_collectivites_declarees",
            "population_concernee",
            "budget_previsionnel",
            "subvention_prevue",
            "investissement_potentiel",
            "thematiques",
            "types_territoire",
            "thematiques_normalisees",
            "types_territoire_normalises",
            "statut",
            "date_debut",
            "date_fin",
            "modifie_le",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "statut": {"help_text": "Cycle de vie du projet, saisi par les chargé·es de programme."},
            "date_debut": {"help_text": "Début de la réalisation ; null tant qu'il n'est pas saisi."},
            "date_fin": {"help_text": "Fin prévue ou constatée ; null tant qu'elle n'est pas saisie."},
        }

    def get_thematiques(self, projet: Projet) -> list[str]:
        return [link.libelle_fiche for link in projet.thematiques_liste]

    def get_types_territoire(self, projet: Projet) -> list[str]:
        return [link.libelle_fiche for link in projet.types_territoire_liste]

    @extend_schema_field(VocabulaireRefSerializer(many=True))
    def get_thematiques_normalisees(self, projet: Projet) -> list[dict[str, str]]:
        return [{"slug": link.thematique.slug, "libelle": link.thematique.libelle} for link in projet.thematiques_liste]

    @extend_schema_field(VocabulaireRefSerializer(many=True))
    def get_types_territoire_normalises(self, projet: Projet) -> list[dict[str, str]]:
        return [
            {"slug": link.type_territoire.slug, "libelle": link.type_territoire.libelle}
            for link in projet.types_territoire_liste
        ]


class PartenariatSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Partenariat
        fields = ["organisation", "role"]
        read_only_fields = fields


class ProjetDetailSerializer(ProjetListSerializer):
    objectifs = serializers.SerializerMethodField(help_text="Objectifs stratégiques, dans l'ordre de la fiche.")
    objectifs_introduction = serializers.CharField(
        read_only=True, help_text="Texte de la fiche qui précède ses objectifs (vide le plus souvent)."
    )
    objectifs_conclusion = serializers.CharField(
        read_only=True, help_text="Texte de la fiche qui suit ses objectifs (vide le plus souvent)."
    )
    impacts_2030 = serializers.SerializerMethodField(help_text="Impacts à horizon 2030, textes de la fiche.")
    partenariats = PartenariatSerializer(
        many=True, read_only=True, help_text="Partenariats enregistrés dans le portail."
    )
    labels = serializers.SlugRelatedField(slug_field="nom", many=True, read_only=True)

    class Meta(ProjetListSerializer.Meta):
        fields = ProjetListSerializer.Meta.fields + [
            "intitule_sommaire",
            "page_dossier",
            "chef_de_file_libelle",
            "partenaires_libelle",
            "population_libelle",
            "ambition",
            "objectifs_introduction",
            "objectifs",
            "objectifs_conclusion",
            "impacts_2030",
            "partenariats",
            "labels",
        ]
        read_only_fields = fields

    def get_objectifs(self, projet: Projet) -> list[str]:
        return [objectif.texte for objectif in projet.objectifs.all()]

    def get_impacts_2030(self, projet: Projet) -> list[str]:
        return [impact.texte for impact in projet.impacts.all()]


class EtablissementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Etablissement
        fields = ["siret", "libelle"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    nb_projets = serializers.IntegerField(read_only=True, help_text="Projets dont l'organisation est partenaire.")
    etablissements = EtablissementSerializer(
        many=True, read_only=True, help_text="Établissements enregistrés, identifiés par leur SIRET."
    )

    class Meta:
        model = Organisation
        fields = ["slug", "nom", "siren", "rna", "nature", "etablissements", "nb_projets", "modifie_le"]
        read_only_fields = fields
        extra_kwargs = {
            "siren": {"help_text": "Neuf chiffres ; vide tant qu'un·e chargé·e de programme ne l'a pas saisi."},
            "rna": {"help_text": "Association : W suivi de neuf chiffres ; vide sinon, ou tant qu'il n'est pas saisi."},
        }
