import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
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


class Convention(models.Model):
    """A subsidy agreement binding one beneficiary of a project, with its payment schedule (tranches).

    `montant` is the ledger's running total of the commitments and releases made
    under the convention (its signature and its amendments), maintained by the
    services like an allocation's; the tranches always sum to it.
    """

    class NatureAide(models.TextChoices):
        NUMERAIRE = "numeraire", "Aide en numéraire"
        NATURE = "nature", "Aide en nature"

    class ConditionsVersement(models.TextChoices):
        UNIQUE = "unique", "Unique"
        ECHELONNE = "echelonne", "Échelonné"
        AUTRE = "autre", "Autre"

    uid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    projet = models.ForeignKey("laureats.Projet", on_delete=models.PROTECT, related_name="conventions")
    enveloppe = models.ForeignKey(Enveloppe, on_delete=models.PROTECT, related_name="conventions")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="conventions")
    beneficiaire = models.ForeignKey(
        "laureats.Organisation", on_delete=models.PROTECT, related_name="conventions", verbose_name="bénéficiaire"
    )
    etablissement = models.ForeignKey(
        "laureats.Etablissement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
        verbose_name="établissement bénéficiaire",
        help_text="Le SIRET publié avec la subvention.",
    )
    objet = models.CharField("objet", max_length=256)
    date_signature = models.DateField("date de la convention")
    reference = models.CharField("référence de la décision", max_length=120)
    montant = models.DecimalField("montant (€)", default=0, editable=False, **MONTANT)
    # The fields the SCDL publishes may be entered after signature: until then the
    # convention is listed "à compléter" instead of being published half-empty.
    nature_aide = models.CharField("nature de l'aide", max_length=20, choices=NatureAide.choices, blank=True)
    conditions_versement = models.CharField(
        "conditions de versement", max_length=20, choices=ConditionsVersement.choices, blank=True
    )
    notification_ue = models.BooleanField(
        "notifiée à la Commission européenne",
        null=True,
        blank=True,
        help_text="Aide d'État notifiée au titre d'un régime d'aides.",
    )
    regime_aide = models.CharField("régime d'aides", max_length=255, blank=True)
    pourcentage_subvention = models.DecimalField(
        "part du coût éligible (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Part de la subvention dans le coût éligible du projet, entre 0,01 et 100 %.",
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    cree_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["montant", "modifie_le"])

    class Meta:
        verbose_name = "convention"
        ordering = ["-date_signature", "-id"]
        indexes = [models.Index(fields=["projet", "enveloppe"], name="convention_projet_env")]
        constraints = [
            models.UniqueConstraint(
                fields=["enveloppe", "reference"],
                name="convention_reference_unique",
                violation_error_message="Une autre convention de l'enveloppe porte déjà cette référence.",
            ),
            models.CheckConstraint(condition=Q(montant__gte=0), name="convention_montant_positif"),
            models.CheckConstraint(
                condition=Q(pourcentage_subvention__isnull=True)
                | Q(pourcentage_subvention__gte=Decimal("0.01"), pourcentage_subvention__lte=100),
                name="convention_pourcentage_borne",
                violation_error_message="La part du coût éligible est comprise entre 0,01 et 100 %.",
            ),
            models.CheckConstraint(
                condition=~Q(notification_ue=True) | ~Q(regime_aide=""),
                name="convention_regime_si_notifiee",
                violation_error_message="Une aide notifiée à la Commission européenne nomme son régime d'aides.",
            ),
            models.CheckConstraint(
                condition=Q(date_signature__gte=datetime.date(2019, 9, 13)),
                name="convention_date_depuis_designation",
                violation_error_message="Une convention ne peut précéder la désignation des lauréats (13/09/2019).",
            ),
        ]

    def __str__(self) -> str:
        return f"Convention {self.reference} — {self.beneficiaire}"


class TrancheQuerySet(models.QuerySet):
    def with_verse(self) -> "TrancheQuerySet":
        """Each tranche's net amount paid (`verse`: disbursements less reversals) and what is left (`reste`)."""
        euros = models.DecimalField(**MONTANT)
        net = Sum(
            Case(
                When(nature="versement", then=F("montant")),
                default=-F("montant"),
                output_field=euros,
            )
        )
        verse = Subquery(
            Versement.objects.filter(tranche=OuterRef("pk"))
            .order_by()
            .values("tranche")
            .annotate(net=net)
            .values("net"),
            output_field=euros,
        )
        zero = Value(Decimal("0.00"), output_field=euros)
        return self.annotate(verse=Coalesce(verse, zero)).annotate(reste=F("montant") - F("verse"))

    def en_retard(self, jour: datetime.date) -> "TrancheQuerySet":
        """Tranches whose planned date is before `jour` and that are not fully paid."""
        return self.with_verse().filter(date_prevue__lt=jour, reste__gt=0)

    def in_region(self, code: str) -> "TrancheQuerySet":
        """Tranches of the conventions of projects in the region with this INSEE code."""
        return self.filter(convention__projet__region__code=code)


class Tranche(models.Model):
    """A planned payment of a convention; disbursements (Versement) pay it, in one or several times."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="tranches")
    numero = models.PositiveSmallIntegerField("numéro")
    date_prevue = models.DateField("date prévue")
    montant = models.DecimalField("montant (€)", **MONTANT)
    condition = models.CharField(
        "condition de versement", max_length=255, help_text="« À la signature », « Sur justificatifs »…"
    )
    # Set once, when the officers were told the tranche is overdue (a conditional update claims it).
    retard_signale_le = models.DateTimeField("retard signalé le", null=True, blank=True, editable=False)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["retard_signale_le", "modifie_le"])

    objects = TrancheQuerySet.as_manager()

    class Meta:
        verbose_name = "tranche"
        ordering = ["convention", "numero"]
        indexes = [models.Index(fields=["date_prevue"], name="tranche_date_prevue")]
        constraints = [
            models.UniqueConstraint(fields=["convention", "numero"], name="tranche_numero_unique"),
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="tranche_montant_positif",
                violation_error_message="Le montant d'une tranche est strictement positif.",
            ),
        ]

    def __str__(self) -> str:
        return f"Tranche {self.numero} de la convention {self.convention.reference}"


class Avenant(models.Model):
    """An amendment that changes a convention's amount; its ledger entries point back to it."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="avenants")
    numero = models.PositiveSmallIntegerField("numéro")
    date = models.DateField("date de l'avenant")
    reference = models.CharField("référence de la décision", max_length=120)
    motif = models.TextField("motif")
    variation = models.DecimalField("variation du montant (€)", **MONTANT)
    montant_avant = models.DecimalField("montant avant (€)", editable=False, **MONTANT)
    montant_apres = models.DecimalField("montant après (€)", editable=False, **MONTANT)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    cree_le = models.DateTimeField("enregistré le", auto_now_add=True, db_index=True)
    # The creation record keeps who wrote the amendment and through which request, like a ledger entry's.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "avenant"
        ordering = ["convention", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "numero"], name="avenant_numero_unique"),
            models.CheckConstraint(condition=~Q(variation=0), name="avenant_variation_non_nulle"),
            models.CheckConstraint(
                condition=Q(montant_apres=F("montant_avant") + F("variation")), name="avenant_montants_coherents"
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.numero} à la convention {self.convention.reference}"


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
    # Every subsidy commitment is made under a convention (a trigger of migration 0006 refuses one without).
    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, null=True, blank=True, related_name="ecritures"
    )
    avenant = models.ForeignKey(
        Avenant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ecritures",
        help_text="L'avenant qui a fait cette écriture, le cas échéant.",
    )
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
    # The tranche paid (or whose payment is reversed): required on a convention's commitment (migration 0006).
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, null=True, blank=True, related_name="versements")
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
