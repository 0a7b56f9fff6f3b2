from django.db import models
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """A region of the Code officiel géographique, or an overseas collectivity."""

    class Nature(models.TextChoices):
        REGION = "region", "Région"
        COLLECTIVITE_OUTRE_MER = "com", "Collectivité d'outre-mer"

    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100, unique=True)
    nature = models.CharField("nature", max_length=10, choices=Nature.choices, default=Nature.REGION)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class DirectionRegionale(models.Model):
    """A regional directorate of the Banque des Territoires and the regions it covers."""

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=150, unique=True)
    regions = models.ManyToManyField(Region, related_name="directions_regionales", verbose_name="régions couvertes")
    history = HistoricalRecords(m2m_fields=[regions])

    class Meta:
        verbose_name = "direction régionale de la Banque des Territoires"
        verbose_name_plural = "directions régionales de la Banque des Territoires"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Vocabulaire(models.Model):
    """An entry of a controlled vocabulary; `variantes` are the spellings found in the fiches."""

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    libelle = models.CharField("libellé", max_length=150, unique=True)
    variantes = models.JSONField(
        "variantes", default=list, blank=True, help_text="Autres graphies rencontrées dans les fiches."
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["libelle"]

    def __str__(self) -> str:
        return self.libelle


class TypeTerritoire(Vocabulaire):
    class Categorie(models.TextChoices):
        # Groupings used by the Banque des Territoires' programmes.
        RURAL = "rural", "Territoires ruraux et petites villes (< 20 000 habitants)"
        VILLES_MOYENNES = "villes_moyennes", "Villes moyennes (20 000 à 100 000 habitants)"
        GRANDES_VILLES = "grandes_villes", "Grandes villes et métropoles (> 100 000 habitants)"

    categorie = models.CharField("catégorie de taille", max_length=20, choices=Categorie.choices, blank=True)
    history = HistoricalRecords()

    class Meta(Vocabulaire.Meta):
        verbose_name = "type de territoire"
        verbose_name_plural = "types de territoire"


class Thematique(Vocabulaire):
    history = HistoricalRecords()

    class Meta(Vocabulaire.Meta):
        verbose_name = "thématique"


class Label(models.Model):
    """A related State programme a territory may belong to (Territoires d'industrie, ...)."""

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=150, unique=True)
    description = models.TextField("description", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "label"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom
