from decimal import Decimal

from rest_framework import serializers

from comptes.api.serializers import AuteurField
from config.api_tools import TexteStrict
from config.saisie import DecimalChaineField
from financements.models import Avenant, Convention, Engagement, Enveloppe, Tranche, Versement
from financements.selectors import enveloppe_chiffres
from laureats.api.serializers import RegionRefSerializer
from laureats.models import Etablissement, Organisation, Projet

MONTANT = {"max_digits": 15, "decimal_places": 2, "read_only": True}
# A rate is null where its denominator is zero (nothing allocated, nothing committed).
TAUX = {"max_digits": 8, "decimal_places": 2, "read_only": True, "allow_null": True}
MONTANT_SAISI = {
    "max_digits": 15,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "help_text": "En euros, deux décimales au plus, strictement positif.",
}


class EnveloppeSerializer(serializers.ModelSerializer):
    """An envelope and its figures, as `Chiffres` defines them (the same on the home page and dashboards)."""

    plafond = serializers.DecimalField(help_text="Plafond de l'enveloppe, en euros.", **MONTANT)
    total_alloue = serializers.DecimalField(
        source="chiffres.alloue",
        help_text="Somme des montants des fiches (subvention prévue ou potentiel d'investissement).",
        **MONTANT,
    )
    engage = serializers.DecimalField(
        source="chiffres.engage", help_text="Engagements moins désengagements.", **MONTANT
    )
    verse = serializers.DecimalField(source="chiffres.verse", help_text="Versements moins annulations.", **MONTANT)
    reste_a_engager = serializers.DecimalField(
        source="chiffres.reste_a_engager", help_text="Plafond moins engagé.", **MONTANT
    )
    reste_a_verser = serializers.DecimalField(
        source="chiffres.reste_a_verser", help_text="Engagé moins versé.", **MONTANT
    )
    allocations_depassent_plafond = serializers.SerializerMethodField(
        help_text="Vrai lorsque la somme des fiches dépasse le plafond de l'enveloppe."
    )
    depassement_allocations = serializers.DecimalField(
        source="chiffres.depassement_allocations",
        help_text="Montant de ce dépassement en euros (0.00 sinon).",
        **MONTANT,
    )
    # Never null: the database keeps every ceiling above zero (enveloppe_plafond_positif).
    taux_engagement = serializers.DecimalField(
        source="chiffres.taux_engagement", help_text="Engagé / plafond, en %, deux décimales.",
        **{**TAUX, "allow_null": False},
    )  # fmt: skip
    taux_versement = serializers.DecimalField(
        source="chiffres.taux_versement",
        help_text="Versé / engagé, en %, deux décimales ; null tant que rien n'est engagé.",
        **TAUX,
    )

    class Meta:
        model = Enveloppe
        fields = [
            "code", "libelle", "plafond", "total_alloue", "engage", "verse", "reste_a_engager",
            "reste_a_verser", "allocations_depassent_plafond", "depassement_allocations",
            "taux_engagement", "taux_versement",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: Enveloppe) -> dict:
        instance.chiffres = enveloppe_chiffres(instance)
        return super().to_representation(instance)

    def get_allocations_depassent_plafond(self, enveloppe: Enveloppe) -> bool:
        return enveloppe.chiffres.depassement_allocations > 0


class EngagementSerializer(serializers.ModelSerializer):
    projet = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="projet.region.code", read_only=True)
    enveloppe = serializers.SlugRelatedField(slug_field="code", read_only=True)
    engagement_origine = serializers.SlugRelatedField(
        slug_field="uid", read_only=True, allow_null=True,
        help_text="Pour un désengagement : l'engagement libéré ; null pour un engagement.",
    )  # fmt: skip
    convention = serializers.SlugRelatedField(
        slug_field="uid", read_only=True, allow_null=True,
        help_text="La convention sous laquelle l'écriture est faite (subvention) ; null pour un investissement.",
    )  # fmt: skip
    auteur = AuteurField()
    montant = serializers.DecimalField(**MONTANT)
    engage_projet_avant = serializers.DecimalField(**MONTANT)
    engage_projet_apres = serializers.DecimalField(**MONTANT)

    class Meta:
        model = Engagement
        fields = [
            "uid", "nature", "projet", "region", "enveloppe", "convention", "engagement_origine", "montant", "date",
            "reference", "motif", "depasse_potentiel", "justification_depassement",
            "engage_projet_avant", "engage_projet_apres", "auteur", "cree_le",
        ]  # fmt: skip
        read_only_fields = fields


class EngagementInputSerializer(serializers.Serializer):
    projet = serializers.SlugRelatedField(
        slug_field="slug", queryset=Projet.objects.all(), help_text="Identifiant (slug) du projet."
    )
    enveloppe = serializers.SlugRelatedField(
        slug_field="code", queryset=Enveloppe.objects.all(), help_text="« subvention » ou « investissement »."
    )
    montant = DecimalChaineField(**MONTANT_SAISI)
    date = serializers.DateField(help_text="Date de la décision, AAAA-MM-JJ.")
    reference = TexteStrict(max_length=120, help_text="Référence de la décision.")
    motif = TexteStrict(max_length=5000)
    justification_depassement = TexteStrict(
        max_length=5000, required=False, default="", allow_blank=True,
        help_text="Obligatoire pour un investissement au-delà du potentiel du projet.",
    )  # fmt: skip


class MouvementInputSerializer(serializers.Serializer):
    """Désengagement ou annulation de versement : montant, date, référence, motif."""

    montant = DecimalChaineField(**MONTANT_SAISI)
    date = serializers.DateField(help_text="AAAA-MM-JJ.")
    reference = TexteStrict(max_length=120)
    motif = TexteStrict(max_length=5000, help_text="Toujours motivé.")


class VersementSerializer(serializers.ModelSerializer):
    engagement = serializers.SlugRelatedField(slug_field="uid", read_only=True)
    projet = serializers.CharField(source="engagement.projet.slug", read_only=True)
    enveloppe = serializers.CharField(source="engagement.enveloppe.code", read_only=True)
    versement_origine = serializers.SlugRelatedField(
        slug_field="uid", read_only=True, allow_null=True,
        help_text="Pour une annulation : le versement annulé ; null pour un versement.",
    )  # fmt: skip
    tranche = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="La tranche de convention payée (subvention) ; null pour un investissement.",
    )  # fmt: skip
    auteur = AuteurField()
    montant = serializers.DecimalField(**MONTANT)
    verse_engagement_avant = serializers.DecimalField(**MONTANT)
    verse_engagement_apres = serializers.DecimalField(**MONTANT)

    class Meta:
        model = Versement
        fields = [
            "uid", "nature", "engagement", "projet", "enveloppe", "tranche", "versement_origine", "montant", "date",
            "reference", "motif", "verse_engagement_avant", "verse_engagement_apres", "auteur", "cree_le",
        ]  # fmt: skip
        read_only_fields = fields


class VersementInputSerializer(serializers.Serializer):
    engagement = serializers.SlugRelatedField(
        slug_field="uid",
        queryset=Engagement.objects.filter(nature=Engagement.Nature.ENGAGEMENT),
        help_text="Identifiant (uid) de l'engagement payé.",
    )
    montant = DecimalChaineField(**MONTANT_SAISI)
    date = serializers.DateField(help_text="AAAA-MM-JJ.")
    reference = TexteStrict(max_length=120)
    motif = TexteStrict(max_length=5000, required=False, default="", allow_blank=True)


class ChiffresSerializer(serializers.Serializer):
    alloue = serializers.DecimalField(**MONTANT)
    engage = serializers.DecimalField(**MONTANT)
    verse = serializers.DecimalField(**MONTANT)
    reste_a_engager = serializers.DecimalField(**MONTANT)
    reste_a_verser = serializers.DecimalField(**MONTANT)
    taux_engagement = serializers.DecimalField(**TAUX)
    taux_versement = serializers.DecimalField(**TAUX)


class EnveloppeChiffresSerializer(ChiffresSerializer):
    code = serializers.CharField()


class ProjetChiffresSerializer(serializers.Serializer):
    slug = serializers.CharField()
    titre = serializers.CharField()
    enveloppes = EnveloppeChiffresSerializer(many=True)


class AnneeChiffresSerializer(serializers.Serializer):
    annee = serializers.IntegerField()
    enveloppe = serializers.CharField()
    engage = serializers.DecimalField(**MONTANT)
    verse = serializers.DecimalField(**MONTANT)


class RegionFinancementsSerializer(serializers.Serializer):
    region = RegionRefSerializer()
    enveloppes = EnveloppeChiffresSerializer(many=True)
    projets = ProjetChiffresSerializer(many=True)
    annees = AnneeChiffresSerializer(many=True)


# --- Conventions, their schedules and amendments ------------------------------------------------------------------

POURCENTAGE_SAISI = {
    "max_digits": 5,
    "decimal_places": 2,
    "required": False,
    "allow_null": True,
    "help_text": "Part de la subvention dans le coût éligible du projet, en %, entre 0.01 et 100.",
}


class BeneficiaireSerializer(serializers.ModelSerializer):
    """L'organisation bénéficiaire : son identifiant (celui de `GET /api/v1/organisations/`) et son nom."""

    class Meta:
        model = Organisation
        fields = ["slug", "nom"]
        read_only_fields = fields


class TrancheSerializer(serializers.ModelSerializer):
    """Une tranche de l'échéancier ; `id` est la tranche que paie `POST /api/v1/tranches/{id}/versements/`."""

    montant = serializers.DecimalField(help_text="Montant prévu.", **MONTANT)
    verse = serializers.DecimalField(help_text="Versé sur la tranche : versements moins annulations.", **MONTANT)
    reste = serializers.DecimalField(help_text="Reste à verser : montant prévu moins versé.", **MONTANT)
    en_retard = serializers.BooleanField(
        read_only=True,
        help_text="Date prévue passée (avant le jour de la requête) et tranche pas entièrement versée.",
    )

    class Meta:
        model = Tranche
        fields = ["id", "numero", "date_prevue", "montant", "condition", "verse", "reste", "en_retard"]
        read_only_fields = fields


class TrancheListeSerializer(TrancheSerializer):
    """Une tranche dans la liste de toutes les tranches : avec sa convention, son projet et son bénéficiaire."""

    convention = serializers.SlugRelatedField(slug_field="uid", read_only=True)
    reference_convention = serializers.CharField(source="convention.reference", read_only=True)
    projet = serializers.CharField(source="convention.projet.slug", read_only=True)
    beneficiaire = BeneficiaireSerializer(source="convention.beneficiaire", read_only=True)

    class Meta(TrancheSerializer.Meta):
        fields = [
            "id", "convention", "reference_convention", "projet", "beneficiaire", "numero", "date_prevue",
            "montant", "condition", "verse", "reste", "en_retard", "modifie_le",
        ]  # fmt: skip
        read_only_fields = fields


class AvenantSerializer(serializers.ModelSerializer):
    variation = serializers.DecimalField(help_text="Hausse (positive) ou baisse (négative) du montant.", **MONTANT)
    montant_avant = serializers.DecimalField(**MONTANT)
    montant_apres = serializers.DecimalField(**MONTANT)

    class Meta:
        model = Avenant
        fields = ["numero", "date", "reference", "motif", "variation", "montant_avant", "montant_apres"]
        read_only_fields = fields


class ConventionSerializer(serializers.ModelSerializer):
    projet = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    beneficiaire = BeneficiaireSerializer(read_only=True)
    etablissement = serializers.SlugRelatedField(
        slug_field="siret", read_only=True, allow_null=True,
        help_text="SIRET de l'établissement bénéficiaire ; null tant qu'il n'est pas renseigné.",
    )  # fmt: skip
    montant = serializers.DecimalField(
        help_text="Montant signé, avenants compris : ce que la convention engage dans le grand livre.", **MONTANT
    )
    pourcentage_subvention = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True,
        help_text="Part de la subvention dans le coût éligible, en % ; null tant qu'elle n'est pas renseignée.",
    )  # fmt: skip
    # Blank until entered: the convention is then listed "à compléter" rather than published.
    nature_aide = serializers.ChoiceField(
        choices=Convention.NatureAide.choices, allow_blank=True, read_only=True,
        help_text="Vide tant qu'elle n'est pas renseignée.",
    )  # fmt: skip
    conditions_versement = serializers.ChoiceField(
        choices=Convention.ConditionsVersement.choices, allow_blank=True, read_only=True,
        help_text="Vide tant qu'elles ne sont pas renseignées.",
    )  # fmt: skip
    tranches = TrancheSerializer(many=True, read_only=True, help_text="L'échéancier, par numéro.")
    avenants = AvenantSerializer(many=True, read_only=True, help_text="Les avenants, par numéro.")

    class Meta:
        model = Convention
        fields = [
            "uid", "projet", "beneficiaire", "etablissement", "objet", "date_signature", "reference", "montant",
            "nature_aide", "conditions_versement", "notification_ue", "regime_aide", "pourcentage_subvention",
            "tranches", "avenants", "modifie_le",
        ]  # fmt: skip
        read_only_fields = fields


class TrancheInputSerializer(serializers.Serializer):
    date_prevue = serializers.DateField(help_text="AAAA-MM-JJ, pas avant la date de la convention.")
    montant = DecimalChaineField(**MONTANT_SAISI)
    condition = TexteStrict(max_length=255, help_text="« À la signature », « Sur justificatifs »…")


class TrancheEcheancierInputSerializer(TrancheInputSerializer):
    numero = serializers.IntegerField(
        min_value=1, required=False, allow_null=True,
        help_text="Numéro d'une tranche existante, qu'elle garde ; absent ou null pour une nouvelle tranche.",
    )  # fmt: skip


class ConventionChampsSerializer(serializers.Serializer):
    """Ce que dit une convention hors de son montant : l'objet et les champs publiés en données ouvertes."""

    etablissement = serializers.SlugRelatedField(
        slug_field="siret", queryset=Etablissement.objects.all(), required=False, allow_null=True,
        help_text="SIRET d'un établissement du bénéficiaire (14 chiffres).",
    )  # fmt: skip
    objet = TexteStrict(max_length=256, required=False)
    nature_aide = serializers.ChoiceField(choices=Convention.NatureAide.choices, required=False, allow_blank=True)
    conditions_versement = serializers.ChoiceField(
        choices=Convention.ConditionsVersement.choices, required=False, allow_blank=True,
        help_text="« unique » : une tranche ; « echelonne » : deux tranches au moins.",
    )  # fmt: skip
    notification_ue = serializers.BooleanField(
        required=False, allow_null=True, help_text="Aide notifiée à la Commission européenne (nommer alors le régime)."
    )
    regime_aide = TexteStrict(max_length=255, required=False, allow_blank=True)
    pourcentage_subvention = DecimalChaineField(**POURCENTAGE_SAISI)


class ConventionInputSerializer(ConventionChampsSerializer):
    """Une convention signée et son échéancier ; les champs publiés peuvent être complétés plus tard."""

    projet = serializers.SlugRelatedField(
        slug_field="slug", queryset=Projet.objects.all(), help_text="Identifiant (slug) du projet."
    )
    beneficiaire = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(),
        help_text="Identifiant (slug) de l'organisation : le chef de file ou un partenaire du projet.",
    )  # fmt: skip
    objet = TexteStrict(max_length=256)
    date_signature = serializers.DateField(help_text="Date de la convention, AAAA-MM-JJ.")
    reference = TexteStrict(max_length=120, help_text="Référence de la décision, unique dans l'enveloppe.")
    montant = DecimalChaineField(**MONTANT_SAISI)
    tranches = TrancheInputSerializer(
        many=True, help_text="L'échéancier : ses tranches totalisent exactement le montant."
    )


NON_MODIFIABLE = (
    "Champ non modifiable ici : le montant change par avenant (POST …/avenants/), l'échéancier par PUT …/echeancier/."
)


class ConventionUpdateSerializer(ConventionChampsSerializer):
    """Seuls les champs envoyés changent ; le montant change par avenant, l'échéancier par `…/echeancier/`."""

    def validate(self, attrs: dict) -> dict:
        inconnus = sorted(set(self.initial_data) - set(self.fields))
        if inconnus:
            raise serializers.ValidationError(dict.fromkeys(inconnus, NON_MODIFIABLE))
        return attrs


class AvenantInputSerializer(serializers.Serializer):
    variation = DecimalChaineField(
        max_digits=15, decimal_places=2,
        help_text="Variation du montant en euros : positive (hausse) ou négative (baisse), jamais nulle.",
    )  # fmt: skip
    date = serializers.DateField(help_text="Date de l'avenant, AAAA-MM-JJ.")
    reference = TexteStrict(max_length=120)
    motif = TexteStrict(max_length=5000, help_text="Toujours motivé.")
    tranches = TrancheEcheancierInputSerializer(
        many=True, required=False,
        help_text="L'échéancier après l'avenant ; sans lui, la variation porte sur les dernières tranches non versées.",
    )  # fmt: skip


class EcheancierInputSerializer(serializers.Serializer):
    tranches = TrancheEcheancierInputSerializer(
        many=True,
        help_text="Le nouvel échéancier, de même total. Une tranche omise est supprimée si rien n'y a été versé.",
    )
    motif = TexteStrict(max_length=5000, help_text="Pourquoi l'échéancier change.")


class TrancheVersementInputSerializer(serializers.Serializer):
    montant = DecimalChaineField(**MONTANT_SAISI)
    date = serializers.DateField(help_text="AAAA-MM-JJ.")
    reference = TexteStrict(max_length=120)
    motif = TexteStrict(max_length=5000, required=False, default="", allow_blank=True)
