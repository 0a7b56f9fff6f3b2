"""2030 indicators: structured targets of the fiches' impacts, measurements, evaluations.

The impact texts stay verbatim in laureats.Impact; an Indicateur is the
structured reading of one quantity named by an impact (reviewed by hand in
fixtures/indicateurs.json), and an ImpactQualitatif records that an impact
names none. Evaluations and status changes are derived rows written by
indicateurs.services.evaluation_run; they are history, not edited by hand.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Now
from simple_history.models import HistoricalRecords

from indicateurs import periodes
from indicateurs.evaluation import regles

# Large enough for 12 000 000 km and for percentages with decimals.
VALEUR = {"max_digits": 18, "decimal_places": 4}
UNITE_PART = "%"


def valeur_en_texte(valeur: Decimal) -> str:
    """12.5000 → « 12,5 », as the officers write it."""
    return f"{valeur.normalize():f}".replace(".", ",")


@dataclass(frozen=True)
class Domaine:
    """The values an indicator's measurements can take; None is no bound."""

    minimum: Decimal | None
    maximum: Decimal | None
    regle: str

    def contient(self, valeur: Decimal) -> bool:
        return (self.minimum is None or valeur >= self.minimum) and (self.maximum is None or valeur <= self.maximum)

    def borner(self, valeur: Decimal) -> Decimal:
        if self.minimum is not None and valeur < self.minimum:
            return self.minimum
        if self.maximum is not None and valeur > self.maximum:
            return self.maximum
        return valeur

    def hors(self, champ: str) -> Q:
        """The rows whose `champ` lies outside the domain."""
        hors = Q(pk__in=[])
        if self.minimum is not None:
            hors |= Q(**{f"{champ}__lt": self.minimum})
        if self.maximum is not None:
            hors |= Q(**{f"{champ}__gt": self.maximum})
        return hors

    def refus(self, valeur: Decimal) -> str:
        return f"{self.regle} : {valeur_en_texte(valeur)} est impossible."


def domaine(*, unite: str, mode: str) -> Domaine:
    """The domain of a unit, written once (the insert trigger of migration 0004 repeats it in SQL).

    A share in % lies between 0 and 100; an evolution in % since the baseline
    (mode « relatif ») cannot fall below −100 %, nothing shrinks by more than
    all of it; every other unit of the fiches counts or measures something
    (jobs, hectares, euros, kWh, minutes...) and is never negative. A unit that
    can be negative (a temperature, a balance) would need its own line here.
    """
    if mode == Indicateur.Mode.RELATIF:
        return Domaine(Decimal("-100"), None, "Une évolution en % depuis la référence ne descend pas sous −100 %")
    if unite.strip() == UNITE_PART:
        return Domaine(Decimal("0"), Decimal("100"), "Une part en % est comprise entre 0 et 100")
    return Domaine(Decimal("0"), None, f"Une valeur en {unite.strip()} n'est jamais négative")


class Statut(models.TextChoices):
    """Evaluation status of an indicator at a date (rules in indicateurs.evaluation.regles)."""

    ATTEINT = regles.ATTEINT, "Atteint"
    EN_BONNE_VOIE = regles.EN_BONNE_VOIE, "En bonne voie"
    A_SURVEILLER = regles.A_SURVEILLER, "À surveiller"
    EN_RETARD = regles.EN_RETARD, "En retard"
    NON_RENSEIGNE = regles.NON_RENSEIGNE, "Non renseigné"


class ImpactQualitatif(models.Model):
    """A 2030 impact that names no quantity: it is followed as text only."""

    impact = models.OneToOneField(
        "laureats.Impact", on_delete=models.CASCADE, related_name="qualitatif", verbose_name="impact"
    )
    raison = models.CharField("pourquoi il n'est pas chiffré", max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "impact qualitatif"
        verbose_name_plural = "impacts qualitatifs"
        ordering = ["impact_id"]

    def __str__(self) -> str:
        return f"{self.impact} (qualitatif)"


class IndicateurQuerySet(models.QuerySet):
    def of_projet(self, projet) -> "IndicateurQuerySet":
        """Indicators of one project's impacts."""
        return self.filter(impact__projet=projet)


class Indicateur(models.Model):
    """A quantified 2030 target: baseline, target, deadline, direction, read from an impact."""

    class Sens(models.TextChoices):
        HAUSSE = "hausse", "Hausse (atteint si la valeur est au moins la cible)"
        BAISSE = "baisse", "Baisse (atteint si la valeur est au plus la cible)"
        ATTEINDRE = "atteindre", "Niveau à atteindre (atteint dans la tolérance de la cible)"

    class Frequence(models.TextChoices):
        ANNUELLE = periodes.ANNUELLE, "Annuelle"
        SEMESTRIELLE = periodes.SEMESTRIELLE, "Semestrielle"
        TRIMESTRIELLE = periodes.TRIMESTRIELLE, "Trimestrielle"

    class Mode(models.TextChoices):
        ABSOLU = "absolu", "Valeur de la grandeur"
        # The fiche gives only a change ("réduire de 30 %"): what is measured is
        # the change in % since the baseline, so the baseline is 0.
        RELATIF = "relatif", "Évolution en % depuis la référence"

    code = models.SlugField("code", max_length=120, unique=True, help_text="Identifiant public, stable.")
    impact = models.ForeignKey(
        "laureats.Impact", on_delete=models.PROTECT, related_name="indicateurs", verbose_name="impact à horizon 2030"
    )
    extrait = models.TextField(
        "extrait de l'impact", blank=True, help_text="Passage exact du texte de l'impact qui énonce la quantité."
    )
    libelle = models.CharField("libellé", max_length=255)
    # Its domain of values: `domaine()` above.
    unite = models.CharField("unité", max_length=40)
    sens = models.CharField("sens", max_length=10, choices=Sens.choices)
    mode = models.CharField("mode", max_length=10, choices=Mode.choices, default=Mode.ABSOLU)
    valeur_reference = models.DecimalField(
        "valeur de référence", null=True, blank=True, help_text="Vide lorsque la fiche ne la donne pas.", **VALEUR
    )
    date_reference = models.DateField(
        "date de la référence",
        null=True,
        blank=True,
        help_text="Vide lorsque la fiche ne la donne pas : la trajectoire part alors du 13 septembre 2019.",
    )
    valeur_cible = models.DecimalField("valeur cible", **VALEUR)
    echeance = models.DateField("échéance", help_text="Fin 2030 sauf si la fiche cite une autre échéance.")
    frequence = models.CharField(
        "fréquence de déclaration", max_length=15, choices=Frequence.choices, default=Frequence.ANNUELLE,
        help_text="Les périodes de déclaration en découlent, jusqu'à l'échéance.",
    )  # fmt: skip
    note = models.TextField("note de lecture", blank=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    # `updated_since` reads it: a target edited by an officer must reach the partners' sync.
    modifie_le = models.DateTimeField("modifié le", auto_now=True, db_index=True)
    history = HistoricalRecords()

    objects = IndicateurQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        # Creation order follows the fiches' order when loaded from the fixture.
        ordering = ["impact_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sens__in=["hausse", "baisse", "atteindre"]),
                name="indicateur_sens",
                violation_error_message="Sens inconnu : hausse, baisse ou atteindre.",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["absolu", "relatif"]),
                name="indicateur_mode",
                violation_error_message="Mode inconnu : absolu ou relatif.",
            ),
            models.CheckConstraint(
                condition=Q(mode="absolu") | Q(valeur_reference=0),
                name="indicateur_relatif_reference_zero",
                violation_error_message="Un indicateur relatif part d'une référence à 0 : il mesure une évolution.",
            ),
            # A known baseline must leave somewhere to go in the indicator's direction.
            models.CheckConstraint(
                condition=Q(valeur_reference__isnull=True)
                | Q(sens="atteindre")
                | Q(sens="hausse", valeur_cible__gt=F("valeur_reference"))
                | Q(sens="baisse", valeur_cible__lt=F("valeur_reference")),
                name="indicateur_cible_dans_le_sens",
                violation_error_message=(
                    "La cible va dans le sens de l'indicateur : au-dessus de la valeur de référence "
                    "pour une hausse, en dessous pour une baisse."
                ),
            ),
            models.CheckConstraint(
                condition=Q(frequence__in=periodes.MOIS_PAR_PERIODE),
                name="indicateur_frequence",
                violation_error_message="Fréquence inconnue : annuelle, semestrielle ou trimestrielle.",
            ),
            models.CheckConstraint(
                condition=Q(date_reference__isnull=True) | Q(date_reference__lt=F("echeance")),
                name="indicateur_reference_avant_echeance",
                violation_error_message="La date de référence précède l'échéance.",
            ),
        ]

    def __str__(self) -> str:
        return self.libelle

    def clean(self) -> None:
        if self.extrait and self.impact_id and self.extrait not in self.impact.texte:
            raise ValidationError({"extrait": "L'extrait doit être un passage exact du texte de l'impact."})

    @property
    def domaine(self) -> Domaine:
        return domaine(unite=self.unite, mode=self.mode)


class EtatPeriode(models.TextChoices):
    """Where a reporting period stands (selectors.PeriodeQuerySet.with_etat derives it)."""

    A_VENIR = "a_venir", "À venir"
    ATTENDUE = "attendue", "Attendue"
    EN_RETARD = "en_retard", "En retard"
    SOUMISE = "soumise", "Soumise"
    A_REVOIR = "a_revoir", "À revoir"
    VALIDEE = "validee", "Validée"


class PeriodeQuerySet(models.QuerySet):
    def with_etat(self, jour: datetime.date) -> "PeriodeQuerySet":
        """Annotate `etat` on `jour`: the state of the period's latest kept measure, else where the dates stand.

        A period not yet over is « à venir », then « attendue » until its due date, then « en retard »;
        a rejected value does not count, so its period is due again.
        """
        retenue = (
            Mesure.objects.filter(periode=OuterRef("pk"))
            .exclude(statut=Mesure.Statut.REJETEE)
            .order_by("-date", "-pk")
            .values("statut")[:1]
        )
        return self.annotate(
            statut_mesure=Subquery(retenue),
            etat=Case(
                When(statut_mesure=Mesure.Statut.VALIDEE, then=Value(EtatPeriode.VALIDEE)),
                When(statut_mesure=Mesure.Statut.SOUMISE, then=Value(EtatPeriode.SOUMISE)),
                When(statut_mesure=Mesure.Statut.A_REVOIR, then=Value(EtatPeriode.A_REVOIR)),
                When(fin__gte=jour, then=Value(EtatPeriode.A_VENIR)),
                When(date_limite__gte=jour, then=Value(EtatPeriode.ATTENDUE)),
                default=Value(EtatPeriode.EN_RETARD),
                output_field=models.CharField(),
            ),
        )

    def dues(self, jour: datetime.date) -> "PeriodeQuerySet":
        """Periods waiting for a value from the partners on `jour`: due, overdue, or sent back for revision."""
        return self.with_etat(jour).filter(etat__in=ETATS_DUS)

    def in_projets(self, projets) -> "PeriodeQuerySet":
        return self.filter(indicateur__impact__projet__in=projets)


class Periode(models.Model):
    """A reporting period of an indicator, written by services.periodes_sync from its frequency and deadline."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="periodes")
    debut = models.DateField("début")
    fin = models.DateField("fin")
    date_limite = models.DateField("à déclarer au plus tard le", help_text="Fin de la période et délai de déclaration.")

    objects = PeriodeQuerySet.as_manager()

    class Meta:
        verbose_name = "période de déclaration"
        verbose_name_plural = "périodes de déclaration"
        ordering = ["indicateur_id", "debut"]
        constraints = [
            models.UniqueConstraint(fields=["indicateur", "debut"], name="periode_unique_par_debut"),
            models.CheckConstraint(
                condition=Q(debut__lte=F("fin")) & Q(fin__lte=F("date_limite")),
                name="periode_bornes_ordonnees",
                violation_error_message="Une période commence avant sa fin, qui précède sa date limite.",
            ),
        ]
        indexes = [models.Index(fields=["date_limite"], name="periode_date_limite")]

    def __str__(self) -> str:
        return f"{self.indicateur} — {self.libelle}"

    @property
    def libelle(self) -> str:
        return periodes.libelle(self.debut, self.fin)


class MesureQuerySet(models.QuerySet):
    def validated(self) -> "MesureQuerySet":
        """Only validated measurements count in evaluations."""
        return self.filter(statut=Mesure.Statut.VALIDEE)

    def demo(self) -> "MesureQuerySet":
        """Synthetic rows written by `generer_demo`."""
        return self.filter(demo=True)


class Mesure(models.Model):
    """A dated value of an indicator, submitted by a partner and decided by a programme officer."""

    class Statut(models.TextChoices):
        SOUMISE = "soumise", "Soumise"
        A_REVOIR = "a_revoir", "À revoir"
        VALIDEE = "validee", "Validée"
        REJETEE = "rejetee", "Rejetée"

    uid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    indicateur = models.ForeignKey(Indicateur, on_delete=models.PROTECT, related_name="mesures")
    date = models.DateField("date de la mesure")
    # The reporting period holding the date; none before the follow-up starts or after the deadline.
    periode = models.ForeignKey(
        Periode, on_delete=models.SET_NULL, null=True, blank=True, related_name="mesures",
        verbose_name="période de déclaration",
    )  # fmt: skip
    valeur = models.DecimalField("valeur", **VALEUR)
    source = models.CharField("source", max_length=500, help_text="D'où vient la valeur (étude, relevé, base...).")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="soumise par",
    )  # fmt: skip
    soumise_le = models.DateTimeField("soumise le", auto_now_add=True)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.SOUMISE)
    commentaire = models.TextField(
        "commentaire de la décision", blank=True, help_text="Motif d'un rejet ou d'un renvoi pour correction."
    )
    decision_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="décidée par",
    )  # fmt: skip
    decision_le = models.DateTimeField("décidée le", null=True, blank=True)
    # Any write: submission, correction, decision. The key of the API's incremental sync
    # (keyset on modifie_le, id); a row inserted by SQL gets the database's clock.
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_default=Now())
    demo = models.BooleanField(
        "donnée de démonstration", default=False, db_index=True, help_text="Écrite par generer_demo."
    )
    history = HistoricalRecords()

    objects = MesureQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure"
        ordering = ["indicateur_id", "-date", "-id"]
        indexes = [
            # Evaluation: the latest (and first) validated measurement per indicator up to a date.
            models.Index(fields=["indicateur", "statut", "date"], name="mesure_indicateur_statut_date"),
            # The officers' queue of submitted measurements, and the API's list in its default order
            # (-soumise_le, -pk) for the public (validated only): read in index order, no sort.
            models.Index(fields=["statut", "-soumise_le", "-id"], name="mesure_statut_soumise_le_id"),
            # The API's list in its default order for officers and directors (every measurement)
            # and partners: a million rows sorted for each page without it.
            models.Index(fields=["-soumise_le", "-id"], name="mesure_soumise_le_id"),
            # Incremental sync: keyset pagination on (modifie_le, id).
            models.Index(fields=["modifie_le", "id"], name="mesure_modifie_le_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=["soumise", "a_revoir", "validee", "rejetee"]), name="mesure_statut_connu"
            ),
            models.CheckConstraint(
                condition=Q(statut="soumise") | Q(decision_le__isnull=False), name="mesure_decision_datee"
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=["rejetee", "a_revoir"]) | ~Q(commentaire=""), name="mesure_rejet_motive"
            ),
            # One value per indicator and date; a rejected one no longer holds its date, so the
            # partner can submit the corrected value after an officer rejects the wrong one.
            models.UniqueConstraint(
                fields=["indicateur", "date"], condition=~Q(statut="rejetee"), name="mesure_unique_par_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicateur} — {self.valeur} au {self.date:%d/%m/%Y} ({self.get_statut_display()})"


class Evaluation(models.Model):
    """An indicator's position at a date; one row per indicator and date, rewritten by each run."""

    # No index of its own: the unique (indicateur, date) serves lookups by indicator, and
    # a second index costs every run a third more writes (one row per indicator and day).
    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="evaluations", db_index=False)
    date = models.DateField("date d'évaluation")
    statut = models.CharField("statut", max_length=15, choices=Statut.choices)
    # Where the trajectory starts: the fiche's baseline, or the first validated
    # measurement when the fiche gives none (see indicateurs.evaluation.regles).
    valeur_origine = models.DecimalField("valeur d'origine de la trajectoire", null=True, blank=True, **VALEUR)
    date_origine = models.DateField("date d'origine de la trajectoire", null=True, blank=True)
    reference_constatee = models.BooleanField(
        "origine prise sur la première mesure", default=False, help_text="La fiche ne donne pas de référence."
    )
    valeur_attendue = models.DecimalField("valeur attendue à la date", null=True, blank=True, **VALEUR)
    mesure = models.ForeignKey(
        Mesure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="mesure retenue"
    )
    valeur_mesuree = models.DecimalField("dernière valeur validée", null=True, blank=True, **VALEUR)
    date_mesure = models.DateField("date de la dernière valeur validée", null=True, blank=True)
    avancement = models.DecimalField(
        "avancement (%)", max_digits=14, decimal_places=2, null=True, blank=True,
        help_text="Part du chemin de l'origine à la cible parcourue par la dernière valeur validée.",
    )  # fmt: skip
    avancement_attendu = models.DecimalField(
        "avancement attendu (%)", max_digits=6, decimal_places=2, null=True, blank=True,
        help_text="Part du chemin qui devait être parcourue à la date de la dernière valeur validée.",
    )  # fmt: skip

    class Meta:
        verbose_name = "évaluation"
        ordering = ["indicateur_id", "-date"]
        constraints = [
            # A run upserts on this key: running it twice for a date changes nothing.
            models.UniqueConstraint(fields=["indicateur", "date"], name="evaluation_unique_par_date"),
        ]
        indexes = [
            # The programme view and the digests read all evaluations of a date.
            models.Index(fields=["date", "statut"], name="evaluation_date_statut"),
        ]

    def __str__(self) -> str:
        return f"{self.indicateur} au {self.date:%d/%m/%Y} : {self.get_statut_display()}"


class ChangementStatut(models.Model):
    """The status of an indicator at a date differs from its previous evaluation's."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="changements_statut")
    date = models.DateField("date d'évaluation")
    ancien_statut = models.CharField(
        "statut précédent", max_length=15, choices=Statut.choices, blank=True,
        help_text="Vide pour une première évaluation.",
    )  # fmt: skip
    nouveau_statut = models.CharField("nouveau statut", max_length=15, choices=Statut.choices)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["-date", "indicateur_id"]
        constraints = [
            models.UniqueConstraint(fields=["indicateur", "date"], name="changement_statut_unique_par_date"),
            models.CheckConstraint(condition=~Q(ancien_statut=F("nouveau_statut")), name="changement_statut_change"),
        ]
        indexes = [models.Index(fields=["date"], name="changement_statut_date")]

    def __str__(self) -> str:
        return f"{self.indicateur} au {self.date:%d/%m/%Y} : {self.ancien_statut or '—'} → {self.nouveau_statut}"


class SyntheseEnvoyee(models.Model):
    """A director's digest for an evaluation date was sent; the unique key makes the task safe to rerun."""

    destinataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField("date d'évaluation")
    nb_changements = models.PositiveIntegerField("changements signalés")
    envoyee_le = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "synthèse envoyée"
        verbose_name_plural = "synthèses envoyées"
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["destinataire", "date"], name="synthese_unique_par_date")]

    def __str__(self) -> str:
        return f"Synthèse du {self.date:%d/%m/%Y} à {self.destinataire}"


MESSAGE_JOURS_DE_RELANCE = (
    "L'étape « avant » part de 1 à 365 jours avant la date limite (nombre négatif), l'étape "
    "« échéance » le jour même (0), l'étape « retard » de 1 à 365 jours après (nombre positif)."
)


class EtapeRelance(models.Model):
    """A step of the partners' reminders: how many days from a period's due date it is sent (editable in the admin).

    indicateurs/relances.py sends, for each period still waiting for a value, the latest
    active step whose day has come, once per period, step and contact.
    """

    class Code(models.TextChoices):
        AVANT = "avant", "Avant l'échéance"
        ECHEANCE = "echeance", "À l'échéance"
        RETARD = "retard", "En retard"

    code = models.CharField("étape", max_length=10, choices=Code.choices, unique=True)
    libelle = models.CharField(
        "libellé", max_length=100, help_text="Repris dans le courriel, par exemple « Rappel : échéance dans 15 jours »."
    )
    jours = models.SmallIntegerField(
        "jours par rapport à la date limite",
        help_text="Négatif avant la date limite (−15 : quinze jours avant), 0 le jour même, positif après "
        "(15 : quinze jours de retard).",
    )
    active = models.BooleanField("active", default=True, help_text="Une étape inactive n'envoie rien.")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "étape de relance"
        verbose_name_plural = "étapes de relance"
        ordering = ["jours"]
        constraints = [
            # Each step keeps its side of the due date: the steps stay in the order avant, échéance, retard.
            models.CheckConstraint(
                condition=(Q(code="avant") & Q(jours__lt=0) & Q(jours__gte=-365))
                | (Q(code="echeance") & Q(jours=0))
                | (Q(code="retard") & Q(jours__gt=0) & Q(jours__lte=365)),
                name="etape_relance_jours_du_bon_cote",
                violation_error_message=MESSAGE_JOURS_DE_RELANCE,
            ),
        ]

    def __str__(self) -> str:
        return self.libelle

    def clean(self) -> None:
        # The constraint's check, on `jours`: the admin shows the step's code read-only, and Django skips
        # the constraints naming a field the form leaves out.
        bornes = {self.Code.AVANT: (-365, -1), self.Code.ECHEANCE: (0, 0), self.Code.RETARD: (1, 365)}
        if self.code in bornes and self.jours is not None:
            minimum, maximum = bornes[self.code]
            if not minimum <= self.jours <= maximum:
                raise ValidationError({"jours": MESSAGE_JOURS_DE_RELANCE})


class RelanceEnvoyee(models.Model):
    """A partner contact was reminded of a period at a step; the unique key makes each reminder go once."""

    periode = models.ForeignKey(Periode, on_delete=models.CASCADE, related_name="relances", verbose_name="période")
    # PROTECT: a step that has sent reminders is deactivated, not deleted (its log would go, and it would resend).
    etape = models.ForeignKey(EtapeRelance, on_delete=models.PROTECT, related_name="+", verbose_name="étape")
    destinataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    envoyee_le = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "relance envoyée"
        verbose_name_plural = "relances envoyées"
        ordering = ["-envoyee_le", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["periode", "etape", "destinataire"], name="relance_unique_par_periode_etape_destinataire"
            )
        ]

    def __str__(self) -> str:
        return f"{self.etape} : {self.periode} à {self.destinataire}"


ETATS_DUS = [EtatPeriode.ATTENDUE, EtatPeriode.EN_RETARD, EtatPeriode.A_REVOIR]
