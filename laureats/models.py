from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from laureats.identifiants_legaux import valider_cle_siren, valider_cle_siret, valider_rna
from territoires.models import Label, Region, Thematique, TypeTerritoire


class Organisation(models.Model):
    class Nature(models.TextChoices):
        COLLECTIVITE = "collectivite", "Collectivité territoriale"
        ETABLISSEMENT_PUBLIC = "etablissement_public", "Établissement public"
        ENTREPRISE = "entreprise", "Entreprise"
        ASSOCIATION = "association", "Association"
        AUTRE = "autre", "Autre"

    slug = models.SlugField("identifiant", max_length=120, unique=True)
    nom = models.CharField("nom", max_length=255)
    # Legal identifiers stay empty until an officer enters them: none is inferred from a fiche.
    siren = models.CharField(
        "SIREN",
        max_length=9,
        blank=True,
        validators=[valider_cle_siren],
        help_text="Neuf chiffres, si l'organisation en a un.",
    )
    rna = models.CharField(
        "numéro RNA",
        max_length=10,
        blank=True,
        validators=[valider_rna],
        help_text="Pour une association : W suivi de neuf chiffres (répertoire national des associations).",
    )
    nature = models.CharField("nature", max_length=30, choices=Nature.choices, default=Nature.AUTRE)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "organisation"
        ordering = ["nom"]
        indexes = [
            # ORDER BY nom: the leads of the project list's filter, the organisations API.
            models.Index(fields=["nom"], name="organisation_nom"),
        ]
        constraints = [
            # SIREN is optional, but two organisations never share one.
            models.UniqueConstraint(
                fields=["siren"],
                condition=~Q(siren=""),
                name="organisation_siren_unique",
                violation_error_message="Une autre organisation porte déjà ce SIREN.",
            ),
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"),
                name="organisation_siren_9_chiffres",
                violation_error_message="Le SIREN compte neuf chiffres, sans espace.",
            ),
            models.UniqueConstraint(
                fields=["rna"],
                condition=~Q(rna=""),
                name="organisation_rna_unique",
                violation_error_message="Une autre organisation porte déjà ce numéro RNA.",
            ),
            models.CheckConstraint(
                condition=Q(rna="") | Q(rna__regex=r"^W[0-9]{9}$"),
                name="organisation_rna_format",
                violation_error_message="Le numéro RNA est un W suivi de neuf chiffres.",
            ),
        ]

    def __str__(self) -> str:
        return self.nom


class Etablissement(models.Model):
    """An establishment of an organisation, identified by its SIRET (SIREN + five-digit NIC)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="etablissements")
    siret = models.CharField(
        "SIRET",
        max_length=14,
        unique=True,
        validators=[valider_cle_siret],
        help_text="Quatorze chiffres, sans espace.",
    )
    libelle = models.CharField("libellé", max_length=255, blank=True, help_text="Siège, site, adresse…")
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "établissement"
        ordering = ["organisation", "siret"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siret__regex=r"^[0-9]{14}$"),
                name="etablissement_siret_14_chiffres",
                violation_error_message="Le SIRET compte quatorze chiffres, sans espace.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.siret}"


# Texts of a fiche that only its detail shows.
TEXTES_DE_FICHE = (
    "ambition",
    "objectifs_introduction",
    "objectifs_conclusion",
    "intitule_sommaire",
    "chef_de_file_libelle",
    "partenaires_libelle",
    "population_libelle",
)


class ProjetQuerySet(models.QuerySet):
    def in_region(self, code: str) -> "ProjetQuerySet":
        """Projects whose region has this INSEE code."""
        return self.filter(region__code=code)

    def for_list(self) -> "ProjetQuerySet":
        """Everything a list of projects shows, in a constant number of queries."""
        return (
            self.select_related("region", "chef_de_file")
            # The fiche's long texts are for the detail page (portail.selectors.projet_detail_queryset undefers them).
            .defer(*TEXTES_DE_FICHE)
            # Into plain lists (to_attr): prefetching into the related managers builds a filtered
            # QuerySet per project, a quarter of the time of a page of 100.
            .prefetch_related(
                models.Prefetch(
                    "thematiques_fiche",
                    queryset=ProjetThematique.objects.select_related("thematique")
                    .only("projet_id", "libelle_fiche", "ordre", "thematique__slug", "thematique__libelle")
                    .order_by("ordre"),
                    to_attr="thematiques_liste",
                ),
                models.Prefetch(
                    "types_territoire_fiche",
                    queryset=ProjetTypeTerritoire.objects.select_related("type_territoire")
                    .only("projet_id", "libelle_fiche", "ordre", "type_territoire__slug", "type_territoire__libelle")
                    .order_by("ordre"),
                    to_attr="types_territoire_liste",
                ),
            )
        )


class Projet(models.Model):
    """A laureate project, with every field of its fiche in the press kit."""

    class Statut(models.TextChoices):
        EN_CONVENTIONNEMENT = "en_conventionnement", "En conventionnement"
        EN_COURS = "en_cours", "En cours"
        CLOTURE = "cloture", "Clôturé"
        ABANDONNE = "abandonne", "Abandonné"

    slug = models.SlugField("identifiant", max_length=120, unique=True)
    ordre = models.PositiveSmallIntegerField("ordre dans le dossier de presse", null=True, blank=True)
    titre = models.CharField("titre", max_length=255, help_text="Titre de la fiche, tel qu'imprimé.")
    intitule_sommaire = models.CharField("intitulé au sommaire", max_length=255, blank=True)
    page_dossier = models.PositiveSmallIntegerField("page du dossier de presse", null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projets", verbose_name="région")
    chef_de_file = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projets_portes", verbose_name="chef de file"
    )
    chef_de_file_libelle = models.CharField("chef de file (libellé de la fiche)", max_length=500, blank=True)
    # What the fiche declares ("N partenaires dont M collectivités"), kept apart
    # from the partnerships actually recorded in the portal.
    partenaires_libelle = models.CharField("partenaires (libellé de la fiche)", max_length=255, blank=True)
    nb_partenaires_declares = models.PositiveIntegerField("partenaires déclarés")
    nb_collectivites_declarees = models.PositiveIntegerField("dont collectivités déclarées")
    population_libelle = models.CharField("personnes concernées (libellé de la fiche)", max_length=255, blank=True)
    population_concernee = models.PositiveIntegerField("personnes concernées")
    ambition = models.TextField("ambition")
    # Two fiches frame their objectives with prose (a lead-in, a closing sentence):
    # kept verbatim beside the list, never counted as objectives. The database default
    # serves rows written in SQL (the benchmark's bulk load).
    objectifs_introduction = models.TextField(
        "introduction des objectifs",
        blank=True,
        default="",
        db_default="",
        help_text="Texte de la fiche qui précède la liste des objectifs, mot pour mot.",
    )
    objectifs_conclusion = models.TextField(
        "conclusion des objectifs",
        blank=True,
        default="",
        db_default="",
        help_text="Texte de la fiche qui suit la liste des objectifs, mot pour mot.",
    )
    budget_previsionnel = models.DecimalField(
        "budget prévisionnel (€)",
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Vide lorsque la fiche n'en donne pas.",
    )
    thematiques = models.ManyToManyField(
        Thematique, through="ProjetThematique", related_name="projets", verbose_name="thématiques"
    )
    types_territoire = models.ManyToManyField(
        TypeTerritoire, through="ProjetTypeTerritoire", related_name="projets", verbose_name="types de territoire"
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="projets", verbose_name="labels")
    statut = models.CharField("statut", max_length=30, choices=Statut.choices, default=Statut.EN_CONVENTIONNEMENT)
    date_debut = models.DateField("date de début", null=True, blank=True)
    date_fin = models.DateField("date de fin", null=True, blank=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True, db_index=True)
    history = HistoricalRecords()

    objects = ProjetQuerySet.as_manager()

    class Meta:
        verbose_name = "projet lauréat"
        verbose_name_plural = "projets lauréats"
        ordering = ["ordre", "titre"]
        indexes = [
            # The lists' default order (API and HTML): a page is read from the index, not sorted from all projects.
            models.Index(fields=["ordre", "titre"], name="projet_ordre_titre"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nb_collectivites_declarees__lte=models.F("nb_partenaires_declares")),
                name="projet_collectivites_parmi_partenaires",
                violation_error_message="Les collectivités sont comptées parmi les partenaires déclarés.",
            ),
            models.CheckConstraint(
                condition=Q(budget_previsionnel__isnull=True) | Q(budget_previsionnel__gt=0),
                name="projet_budget_positif",
                violation_error_message="Le budget est strictement positif ; laissez vide si la fiche n'en donne pas.",
            ),
            models.CheckConstraint(
                condition=Q(date_debut__isnull=True)
                | Q(date_fin__isnull=True)
                | Q(date_fin__gte=models.F("date_debut")),
                name="projet_fin_apres_debut",
                violation_error_message="La date de fin ne peut précéder la date de début.",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("projet_detail", args=[self.slug])


class ProjetThematique(models.Model):
    """A theme of a project, with the fiche's own wording of it."""

    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="thematiques_fiche")
    thematique = models.ForeignKey(Thematique, on_delete=models.PROTECT, related_name="+")
    libelle_fiche = models.CharField("libellé de la fiche", max_length=150)
    ordre = models.PositiveSmallIntegerField("ordre")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "thématique du projet"
        verbose_name_plural = "thématiques du projet"
        ordering = ["projet", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["projet", "thematique"], name="projet_thematique_unique"),
            models.UniqueConstraint(fields=["projet", "ordre"], name="projet_thematique_ordre_unique"),
        ]

    def __str__(self) -> str:
        return self.libelle_fiche


class ProjetTypeTerritoire(models.Model):
    """A territory type of a project, with the fiche's own wording of it."""

    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="types_territoire_fiche")
    type_territoire = models.ForeignKey(TypeTerritoire, on_delete=models.PROTECT, related_name="+")
    libelle_fiche = models.CharField("libellé de la fiche", max_length=150)
    ordre = models.PositiveSmallIntegerField("ordre")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "type de territoire du projet"
        verbose_name_plural = "types de territoire du projet"
        ordering = ["projet", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["projet", "type_territoire"], name="projet_type_unique"),
            models.UniqueConstraint(fields=["projet", "ordre"], name="projet_type_ordre_unique"),
        ]

    def __str__(self) -> str:
        return self.libelle_fiche


class Partenariat(models.Model):
    class Role(models.TextChoices):
        CHEF_DE_FILE = "chef_de_file", "Chef de file"
        CO_PORTEUR = "co_porteur", "Co-porteur"
        PARTENAIRE = "partenaire", "Partenaire"
        FINANCEUR = "financeur", "Financeur"

    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="partenariats")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partenariats")
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.PARTENAIRE)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "partenariat"
        ordering = ["projet", "role", "organisation__nom"]
        constraints = [
            models.UniqueConstraint(fields=["projet", "organisation"], name="partenariat_unique"),
            # A project has one lead; co-leads are recorded as "co_porteur".
            models.UniqueConstraint(
                fields=["projet"], condition=Q(role="chef_de_file"), name="partenariat_un_chef_de_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()} de {self.projet}"


class TexteOrdonne(models.Model):
    """A verbatim text of a fiche at its place in a list."""

    ordre = models.PositiveSmallIntegerField("ordre")
    texte = models.TextField("texte")

    class Meta:
        abstract = True
        ordering = ["projet", "ordre"]

    def __str__(self) -> str:
        return self.texte[:80]


class Objectif(TexteOrdonne):
    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="objectifs")
    history = HistoricalRecords()

    class Meta(TexteOrdonne.Meta):
        verbose_name = "objectif stratégique"
        verbose_name_plural = "objectifs stratégiques"
        constraints = [models.UniqueConstraint(fields=["projet", "ordre"], name="objectif_ordre_unique")]


class Impact(TexteOrdonne):
    projet = models.ForeignKey(Projet, on_delete=models.CASCADE, related_name="impacts")
    history = HistoricalRecords()

    class Meta(TexteOrdonne.Meta):
        verbose_name = "impact à horizon 2030"
        verbose_name_plural = "impacts à horizon 2030"
        constraints = [models.UniqueConstraint(fields=["projet", "ordre"], name="impact_ordre_unique")]
