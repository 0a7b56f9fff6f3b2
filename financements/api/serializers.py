from decimal import Decimal

from rest_framework import serializers

from comptes.api.serializers import AuteurField
from config.api_tools import TexteStrict
from config.saisie import DecimalChaineField
from financements.models import Engagement, Enveloppe, Versement
from financements.selectors import enveloppe_chiffres
from laureats.api.serializers import RegionRefSerializer
from laureats.models import Projet

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
    auteur = AuteurField()
    montant = serializers.DecimalField(**MONTANT)
    engage_projet_avant = serializers.DecimalField(**MONTANT)
    engage_projet_apres = serializers.DecimalField(**MONTANT)

    class Meta:
        model = Engagement
        fields = [
            "uid", "nature", "projet", "region", "enveloppe", "engagement_origine", "montant", "date",
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
    auteur = AuteurField()
    montant = serializers.DecimalField(**MONTANT)
    verse_engagement_avant = serializers.DecimalField(**MONTANT)
    verse_engagement_apres = serializers.DecimalField(**MONTANT)

    class Meta:
        model = Versement
        fields = [
            "uid", "nature", "engagement", "projet", "enveloppe", "versement_origine", "montant", "date",
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
