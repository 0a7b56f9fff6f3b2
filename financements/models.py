import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

MONTANT = {"max_digits": 15, "decimal_places": 2}


class Enveloppe(models.Model):
    """One of the programme's two PIA envelopes, with its running totals.

    `montant_engage` and `montant_verse` are maintained by the ledger services
    with conditional updates; the check constraints make PostgreSQL refuse any
    write that would take them past the ceiling, whatever path it comes from.
    """

    class Code(models.TextChoices):
        SUBVENTION = "subvention", "Subventions"
        INVESTISSEMENT = "investissement", "Investissement en fonds propres"

    code = models.CharField("code", max_length=20, choices=Code.choices, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    plafond = models.DecimalField("plafond (€)", **MONTANT)
    # Subsidies are capped per project by the fiche's planned amount; equity may
    # exceed a project's investment potential with a justification.
    plafonne_par_projet = models.BooleanField("engagements plafonnés par projet", default=True)
    montant_engage = models.DecimalField("engagé (€)", default=0, editable=False, **MONTANT)
    montant_verse = models.DecimalField("versé (€)", default=0, editable=False, **MONTANT)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["montant_engage", "montant_verse", "modifie_le"])

    class Meta:
        verbose_name = "enveloppe"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plafond__gt=0),
                name="enveloppe_plafond_positif",
                violation_error_message="Le plafond doit être strictement positif.",
            ),
            models.CheckConstraint(
                condition=Q(montant_engage__gte=0) & Q(montant_engage__lte=F("plafond")),
                name="enveloppe_engage_sous_plafond",
                violation_error_message="Le plafond ne peut être inférieur au montant déjà engagé sur l'enveloppe.",
            ),
            models.CheckConstraint(
                condition=Q(montant_verse__gte=0) & Q(montant_verse__lte=F("montant_engage")),
                name="enveloppe_verse_sous_engage",
            ),
        ]

    def __str__(self) -> str:
        return self.libelle


class Allocation(models.Model):
    """What a fiche gives a project in an envelope: planned subsidy or investment potential."""

    projet = models.ForeignKey("laureats.Projet", on_delete=models.CASCADE, related_name="allocations")
    enveloppe = models.ForeignKey(Enveloppe, on_delete=models.PROTECT, related_name="allocations")
    montant = models.DecimalField("montant alloué (€)", **MONTANT)
    plafonnee = models.BooleanField(
        "plafond pour les engagements",
        default=True,
        editable=False,
        help_text="Copié de l'enveloppe pour que la base de données applique le plafond.",
    )
    montant_engage = models.DecimalField("engagé (€)", default=0, editable=False, **MONTANT)
    montant_verse = models.DecimalField("versé (€)", default=0, editable=False, **MONTANT)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["montant_engage", "montant_verse", "modifie_le"])

    class Meta:
        verbose_name = "allocation"
        ordering = ["projet", "enveloppe"]
        constraints = [
            models.UniqueConstraint(fields=["projet", "enveloppe"], name="allocation_unique"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="allocation_montant_positif",
                violation_error_message="Le montant alloué ne peut être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(montant_engage__gte=0) & (Q(plafonnee=False) | Q(montant_engage__lte=F("montant"))),
                name="allocation_engage_sous_montant",
                violation_error_message="Le montant alloué ne peut être inférieur au montant déjà engagé.",
            ),
            models.CheckConstraint(
                condition=Q(montant_verse__gte=0) & Q(montant_verse__lte=F("montant_engage")),
                name="allocation_verse_sous_engage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.projet} — {self.enveloppe}"


class Engagement(models.Model):
    """A ledger entry: a commitment, or the release (désengagement) of part of one.

    Rows are immutable: a trigger in the migrations refuses UPDATE and DELETE.
    """

    class Nature(models.TextChoices):
        ENGAGEMENT = "engagement", "Engagement"
        DESENGAGEMENT = "desengagement", "Désengagement"

    uid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    projet = models.ForeignKey("laureats.Projet", on_delete=models.PROTECT, related_name="engagements")
    enveloppe = models.ForeignKey(Enveloppe, on_delete=models.PROTECT, related_name="engagements")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="engagements")
    nature = models.CharField("nature", max_length=20, choices=Nature.choices, default=Nature.ENGAGEMENT)
    engagement_origine = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desengagements",
        verbose_name="engagement d'origine",
        help_text="Pour un désengagement : l'engagement libéré.",
    )
    montant = models.DecimalField("montant (€)", **MONTANT)
    date = models.DateField("date de la décision")
    reference = models.CharField("référence de la décision", max_length=120)
    motif = models.TextField("motif")
    depasse_potentiel = models.BooleanField("au-delà du potentiel d'investissement", default=False)
    justification_depassement = models.TextField("justification du dépassement", blank=True)
    # Audit: the project's committed amount in this envelope before and after the entry.
    engage_projet_avant = models.DecimalField("engagé du projet avant (€)", editable=False, **MONTANT)
    engage_projet_apres = models.DecimalField("engagé du projet après (€)", editable=False, **MONTANT)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    cree_le = models.DateTimeField("enregistré le", auto_now_add=True, db_index=True)
    # The creation record keeps who wrote the entry and through which request.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "engagement"
        ordering = ["-date", "-id"]
        indexes = [
            # Dashboards: totals by envelope and year, and by project.
            models.Index(fields=["enveloppe", "date"], name="engagement_env_date"),
            models.Index(fields=["projet", "enveloppe"], name="engagement_projet_env"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gt=0), name="engagement_montant_positif"),
            models.CheckConstraint(
                condition=Q(nature="engagement", engagement_origine__isnull=True)
                | Q(nature="desengagement", engagement_origine__isnull=False),
                name="engagement_origine_si_desengagement",
            ),
            models.CheckConstraint(
                condition=Q(depasse_potentiel=False) | ~Q(justification_depassement=""),
                name="engagement_depassement_justifie",
            ),
            # settings.PROGRAMME_DATE_DESIGNATION, written out: a migration cannot follow a setting.
            models.CheckConstraint(
                condition=Q(date__gte=datetime.date(2019, 9, 13)), name="engagement_date_depuis_designation"
            ),
            # One decision, one entry: a reference names a single commitment or release in its envelope.
            models.UniqueConstraint(fields=["enveloppe", "reference"], name="engagement_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} {self.reference} — {self.montant} €"

    @property
    def montant_signe(self):
        return self.montant if self.nature == self.Nature.ENGAGEMENT else -self.montant


class Versement(models.Model):
    """A ledger entry: a disbursement on a commitment, or the reversal of one."""

    class Nature(models.TextChoices):
        VERSEMENT = "versement", "Versement"
        ANNULATION = "annulation", "Annulation de versement"

    uid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="versements")
    nature = models.CharField("nature", max_length=20, choices=Nature.choices, default=Nature.VERSEMENT)
    versement_origine = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annulations",
        verbose_name="versement annulé",
    )
    montant = models.DecimalField("montant (€)", **MONTANT)
    date = models.DateField("date du versement")
    reference = models.CharField("référence", max_length=120)
    motif = models.TextField("motif", blank=True)
    # Audit: what had been paid on the commitment before and after the entry.
    verse_engagement_avant = models.DecimalField("versé sur l'engagement avant (€)", editable=False, **MONTANT)
    verse_engagement_apres = models.DecimalField("versé sur l'engagement après (€)", editable=False, **MONTANT)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    cree_le = models.DateTimeField("enregistré le", auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "versement"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["engagement", "date"], name="versement_engagement_date"),
            # The insert trigger of migration 0004 looks a reference up in the whole envelope.
            models.Index(fields=["reference"], name="versement_reference"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gt=0), name="versement_montant_positif"),
            models.CheckConstraint(
                condition=Q(date__gte=datetime.date(2019, 9, 13)), name="versement_date_depuis_designation"
            ),
            models.CheckConstraint(
                condition=Q(nature="versement", versement_origine__isnull=True)
                | Q(nature="annulation", versement_origine__isnull=False, motif__gt=""),
                name="versement_annulation_motivee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} {self.reference} — {self.montant} €"
