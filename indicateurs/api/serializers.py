from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comptes.affichage import auteur_pour
from comptes.api.serializers import AUTEUR_AIDE
from config.api_tools import LienParIdentifiant, TexteStrict
from config.saisie import DecimalChaineField
from indicateurs.models import EtatPeriode, Evaluation, Indicateur, Mesure, Periode

VALEUR = {"max_digits": 18, "decimal_places": 4}
VALEUR_LUE = {**VALEUR, "read_only": True}


class EvaluationSerializer(serializers.ModelSerializer):
    statut_libelle = serializers.CharField(source="get_statut_display", read_only=True)
    valeur_origine = serializers.DecimalField(
        allow_null=True, help_text="Départ de la trajectoire (référence de la fiche ou première mesure).", **VALEUR_LUE
    )
    valeur_attendue = serializers.DecimalField(
        allow_null=True, help_text="Valeur sur la trajectoire à la date d'évaluation.", **VALEUR_LUE
    )
    valeur_mesuree = serializers.DecimalField(
        allow_null=True, help_text="Dernière valeur validée à la date d'évaluation.", **VALEUR_LUE
    )
    avancement = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, read_only=True,
        help_text="Part du chemin de l'origine à la cible parcourue, en %.",
    )  # fmt: skip
    avancement_attendu = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, read_only=True,
        help_text="Part du chemin qui devait être parcourue à la date de la mesure, en %.",
    )  # fmt: skip

    class Meta:
        model = Evaluation
        fields = [
            "date", "statut", "statut_libelle", "valeur_origine", "date_origine", "reference_constatee",
            "valeur_attendue", "valeur_mesuree", "date_mesure", "avancement", "avancement_attendu",
        ]  # fmt: skip
        read_only_fields = fields


class PageEvaluationsSerializer(serializers.Serializer):
    """Une page de l'historique des évaluations (même pagination que les listes)."""

    count = serializers.IntegerField(read_only=True)
    next = serializers.URLField(allow_null=True, read_only=True)
    previous = serializers.URLField(allow_null=True, read_only=True)
    results = EvaluationSerializer(many=True, read_only=True)


class ProjetIndicateurSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    titre = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True, help_text="Code INSEE de la région.")


class ImpactIndicateurSerializer(serializers.Serializer):
    ordre = serializers.IntegerField(read_only=True, help_text="Rang de l'impact dans la fiche.")
    texte = serializers.CharField(read_only=True)


class IndicateurSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:indicateur-detail", lookup_field="code")
    projet = serializers.SerializerMethodField(help_text="Le projet lauréat dont l'impact est suivi.")
    impact = serializers.SerializerMethodField(help_text="L'impact à horizon 2030, texte verbatim de la fiche.")
    valeur_reference = serializers.DecimalField(
        allow_null=True, help_text="Null lorsque la fiche ne donne pas de référence.", **VALEUR_LUE
    )
    valeur_cible = serializers.DecimalField(**VALEUR_LUE)
    derniere_evaluation = serializers.SerializerMethodField()

    class Meta:
        model = Indicateur
        fields = [
            "code", "url", "projet", "impact", "extrait", "libelle", "unite", "sens", "mode", "valeur_reference",
            "date_reference", "valeur_cible", "echeance", "note", "derniere_evaluation", "modifie_le",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ProjetIndicateurSerializer)
    def get_projet(self, indicateur: Indicateur) -> dict[str, str]:
        projet = indicateur.impact.projet
        return {"slug": projet.slug, "titre": projet.titre, "region": projet.region.code}

    @extend_schema_field(ImpactIndicateurSerializer)
    def get_impact(self, indicateur: Indicateur) -> dict:
        return {"ordre": indicateur.impact.ordre, "texte": indicateur.impact.texte}

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_derniere_evaluation(self, indicateur: Indicateur) -> dict | None:
        recentes = indicateur.evaluations_recentes
        return EvaluationSerializer(recentes[0]).data if recentes else None


class MesureSerializer(serializers.ModelSerializer):
    url = LienParIdentifiant(view_name="api:mesure-detail", lookup_field="uid")
    indicateur = serializers.SlugRelatedField(slug_field="code", read_only=True)
    valeur = serializers.DecimalField(**VALEUR_LUE)
    auteur = serializers.SerializerMethodField(help_text=f"{AUTEUR_AIDE} Visible une fois connecté.")

    class Meta:
        model = Mesure
        fields = [
            "uid", "url", "indicateur", "date", "valeur", "source", "statut", "commentaire", "auteur", "soumise_le",
            "decision_le", "modifie_le", "demo",
        ]  # fmt: skip
        extra_kwargs = {"modifie_le": {"help_text": "Dernière écriture : déclaration, correction ou décision."}}
        read_only_fields = fields

    def get_auteur(self, mesure: Mesure) -> str | None:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated or mesure.auteur is None:
            return None
        return auteur_pour(mesure.auteur, request.user)


class MesureCreateSerializer(serializers.Serializer):
    indicateur = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Indicateur.objects.select_related("impact__projet"),
        help_text="Code de l'indicateur.",
        error_messages={"does_not_exist": "Indicateur inconnu « {value} »."},
    )
    date = serializers.DateField(help_text="Date à laquelle la valeur a été constatée (AAAA-MM-JJ).")
    valeur = DecimalChaineField(
        help_text=(
            'Nombre décimal, en chaîne ("12.5"). Pour un indicateur relatif : évolution en % depuis la référence.'
        ),
        **VALEUR,
    )
    source = TexteStrict(max_length=500, help_text="D'où vient la valeur (étude, relevé, base de données).")


class DecisionSerializer(serializers.Serializer):
    commentaire = TexteStrict(
        required=False,
        allow_blank=True,
        default="",
        help_text="Obligatoire pour un renvoi pour correction ou un rejet ; lu par le partenaire.",
    )


class PeriodeSerializer(serializers.ModelSerializer):
    indicateur = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text="Code de l'indicateur, tel que listé par `GET /api/v1/indicateurs/`.",
    )
    projet = serializers.SlugRelatedField(
        source="indicateur.impact.projet", slug_field="slug", read_only=True, help_text="Identifiant du projet."
    )
    libelle = serializers.CharField(read_only=True, help_text="« 2025 », « 1er semestre 2025 », « 3e trimestre 2025 ».")
    etat = serializers.ChoiceField(
        choices=EtatPeriode.choices, read_only=True,
        help_text="À venir (période en cours), attendue (avant la date limite), en retard, soumise, à revoir, validée.",
    )  # fmt: skip
    mesure = serializers.UUIDField(
        source="mesure_uid", read_only=True, allow_null=True,
        help_text="Identifiant (uid) de la mesure retenue pour la période ; null tant qu'aucune n'est déclarée.",
    )  # fmt: skip

    class Meta:
        model = Periode
        fields = ["id", "indicateur", "projet", "debut", "fin", "libelle", "date_limite", "etat", "mesure"]
        read_only_fields = fields


class MesureCorrectionSerializer(serializers.Serializer):
    valeur = DecimalChaineField(help_text='Nombre décimal, en chaîne ("12.5").', **VALEUR)
    source = TexteStrict(max_length=500, help_text="D'où vient la valeur (étude, relevé, base de données).")
    date = serializers.DateField(
        required=False, help_text="Nouvelle date (AAAA-MM-JJ), dans la même période ; inchangée si absente."
    )


@extend_schema_field(OpenApiTypes.BINARY)
class FichierField(serializers.FileField):
    """An uploaded file: the bytes of a multipart part (drf-spectacular would write a URI when not split)."""


class ImportMesuresSerializer(serializers.Serializer):
    fichier = FichierField(
        write_only=True,
        help_text="Le modèle rempli (GET /api/v1/mesures/modele/), au format .xlsx.",
        error_messages={"required": "Joignez le fichier .xlsx dans le champ « fichier »."},
    )


class RapportImportSerializer(serializers.Serializer):
    """Ce qu'un import a enregistré."""

    fichier = serializers.CharField(read_only=True, help_text="Nom du fichier importé.")
    nb_creees = serializers.IntegerField(read_only=True, help_text="Mesures soumises.")
    nb_corrigees = serializers.IntegerField(
        read_only=True, help_text="Mesures renvoyées pour correction, corrigées et soumises à nouveau."
    )
    nb_lignes_sans_valeur = serializers.IntegerField(read_only=True, help_text="Lignes sans valeur, ignorées.")
    creees = serializers.ListField(
        child=serializers.UUIDField(), read_only=True, help_text="Identifiants des mesures soumises."
    )
    corrigees = serializers.ListField(
        child=serializers.UUIDField(), read_only=True, help_text="Identifiants des mesures corrigées."
    )
