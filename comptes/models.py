import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from territoires.models import Region


class Profil(models.Model):
    """A user's role in the programme and what it is scoped to."""

    class Role(models.TextChoices):
        CHARGE = "charge", "Chargé·e de programme"
        DIRECTEUR = "directeur", "Directeur·rice régional·e"
        PARTENAIRE = "partenaire", "Partenaire"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profil")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    regions = models.ManyToManyField(
        Region, blank=True, related_name="directeurs", verbose_name="régions suivies",
        help_text="Pour un·e directeur·rice régional·e.",
    )  # fmt: skip
    # By name: organisations belong to the laureates, a layer above the accounts.
    organisation = models.ForeignKey(
        "laureats.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="membres",
        verbose_name="organisation", help_text="Pour un partenaire.",
    )  # fmt: skip
    history = HistoricalRecords(m2m_fields=[regions])

    class Meta:
        verbose_name = "profil"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="partenaire") | Q(organisation__isnull=False),
                name="profil_partenaire_a_une_organisation",
                violation_error_message="Un partenaire est rattaché à une organisation : indiquez-la.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


def empreinte_de(jeton: str) -> str:
    """What JetonAPI stores of a clear token, and what a request's token is looked up by."""
    return hashlib.sha256(jeton.encode()).hexdigest()


class JetonAPI(models.Model):
    """An API token; only its SHA-256 is stored, the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jetons")
    nom = models.CharField("nom", max_length=100)
    prefixe = models.CharField("début du jeton", max_length=8, help_text="Pour reconnaître le jeton.")
    empreinte = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    derniere_utilisation = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["derniere_utilisation"])

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["user", "-cree_le"]
        constraints = [models.UniqueConstraint(fields=["user", "nom"], name="jeton_nom_unique_par_user")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.prefixe}…)"
