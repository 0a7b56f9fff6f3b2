from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least, TruncMonth
from django.utils import timezone

from financements.models import Allocation, Convention, Engagement, Enveloppe, Tranche, Versement
from laureats.models import Projet

EUROS = DecimalField(max_digits=15, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=EUROS)
CENT = Decimal("0.01")


def enveloppe_list() -> QuerySet[Enveloppe]:
    """Envelopes with what their figures need: ceiling, running totals and the fiches' sum (`total_alloue`)."""
    # A clone of the one queryset built: resolving its subquery costs more than the small answer it serves.
    return _enveloppes().all()


@cache
def _enveloppes() -> QuerySet[Enveloppe]:
    total_alloue = Subquery(
        Allocation.objects.filter(enveloppe=OuterRef("pk"))
        .order_by()
        .values("enveloppe")
        .annotate(total=Sum("montant"))
        .values("total"),
        output_field=EUROS,
    )
    return Enveloppe.objects.annotate(total_alloue=Coalesce(total_alloue, ZERO)).order_by("plafond")


def taux(numerateur: Decimal, denominateur: Decimal) -> Decimal | None:
    """A rate in %, two decimals rounded half up; None where the denominator is zero."""
    if not denominateur:
        return None
    return (numerateur * 100 / denominateur).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Chiffres:
    """The one definition of the derived figures, shown the same on every page, API and export.

    With a ceiling (`plafond`, an envelope for the whole programme) what is left to
    commit is measured against it; without one (a project, or the projects of a
    region) against the fiches' allocation.
    """

    alloue: Decimal = Decimal("0.00")
    engage: Decimal = Decimal("0.00")
    verse: Decimal = Decimal("0.00")
    plafond: Decimal | None = None

    @property
    def base(self) -> Decimal:
        return self.alloue if self.plafond is None else self.plafond

    @property
    def reste_a_engager(self) -> Decimal:
        return self.base - self.engage

    @property
    def reste_a_verser(self) -> Decimal:
        return self.engage - self.verse

    @property
    def depassement_allocations(self) -> Decimal | None:
        """How much the fiches promise beyond the ceiling (0.00 when within); None without a ceiling."""
        if self.plafond is None:
            return None
        return max(self.alloue - self.plafond, Decimal("0.00"))

    @property
    def taux_engagement(self) -> Decimal | None:
        return taux(self.engage, self.base)

    @property
    def taux_versement(self) -> Decimal | None:
        return taux(self.verse, self.engage)

    def as_dict(self, **extra) -> dict:
        return {
            **extra,
            "alloue": self.alloue,
            "engage": self.engage,
            "verse": self.verse,
            "reste_a_engager": self.reste_a_engager,
            "reste_a_verser": self.reste_a_verser,
            "taux_engagement": self.taux_engagement,
            "taux_versement": self.taux_versement,
        }


def enveloppe_chiffres(enveloppe: Enveloppe) -> Chiffres:
    """An envelope's figures, from `enveloppe_list()` (which annotates `total_alloue`)."""
    return Chiffres(enveloppe.total_alloue, enveloppe.montant_engage, enveloppe.montant_verse, enveloppe.plafond)


def programme_chiffres() -> tuple[list[tuple[Enveloppe, Chiffres]], Chiffres]:
    """Each envelope with its figures, and both together, in one query."""
    enveloppes = [(e, enveloppe_chiffres(e)) for e in enveloppe_list()]
    total = Chiffres(
        alloue=sum((c.alloue for _, c in enveloppes), Decimal("0.00")),
        engage=sum((c.engage for _, c in enveloppes), Decimal("0.00")),
        verse=sum((c.verse for _, c in enveloppes), Decimal("0.00")),
        plafond=sum((e.plafond for e, _ in enveloppes), Decimal("0.00")),
    )
    return enveloppes, total


@dataclass
class LigneProjet:
    slug: str
    titre: str
    region_code: str
    region_nom: str
    par_enveloppe: dict[str, Chiffres] = field(default_factory=dict)


@dataclass
class Tableau:
    """The figures of a dashboard: by envelope, by project, by year."""

    enveloppes: list[Enveloppe]
    par_enveloppe: dict[str, Chiffres]
    projets: list[LigneProjet]
    par_annee: list[dict]

    @property
    def cartes(self) -> list[tuple[Enveloppe, "Chiffres"]]:
        """Each envelope with its figures, in the envelopes' order."""
        return [(e, self.par_enveloppe[e.code]) for e in self.enveloppes]


def _montant_signe(nature_engagement: str):
    return Case(When(nature=nature_engagement, then=F("montant")), default=-F("montant"), output_field=EUROS)


# The per-project table's order, on the page and in its exports: by region, then the programme's order.
ORDRE_PROJETS = ("region__nom", "ordre", "titre", "pk")


def tableau_financier(*, region_code: str | None = None) -> Tableau:
    """Dashboard figures for the programme or one region, with every project's row (the exports, the API)."""
    tableau = tableau_synthese(region_code=region_code)
    tableau.projets = lignes_projets(Q(projet__region__code=region_code) if region_code else Q())
    return tableau


def projets_finances(*, region_code: str | None = None) -> QuerySet:
    """The projects the per-project table lists (those with an allocation), in its order; nothing fetched yet."""
    projets = Projet.objects.filter(Exists(Allocation.objects.filter(projet=OuterRef("pk"))))
    if region_code:
        projets = projets.filter(region__code=region_code)
    return projets.order_by(*ORDRE_PROJETS)


def lignes_projets(quels: Q) -> list[LigneProjet]:
    """The table's rows of the projects whose allocations `quels` selects (a region, or a page
    of projets_finances: Q(projet__in=page)), in the table's order, in one query."""
    # Tuples rather than instances: a region of 500 projects has 1 000 allocations,
    # and four model instances each (allocation, project, region, envelope) cost more than the query.
    allocations = (
        Allocation.objects.filter(quels)
        .order_by(*(f"projet__{cle}" for cle in ORDRE_PROJETS), "enveloppe__plafond")
        .values_list(
            "montant", "montant_engage", "montant_verse", "enveloppe__code",
            "projet__slug", "projet__titre", "projet__region__code", "projet__region__nom",
        )
    )  # fmt: skip
    lignes: dict[str, LigneProjet] = {}
    for montant, engage, verse, code, slug, titre, code_region, nom_region in allocations:
        ligne = lignes.setdefault(slug, LigneProjet(slug, titre, code_region, nom_region))
        ligne.par_enveloppe[code] = Chiffres(montant, engage, verse)
    return list(lignes.values())


def tableau_synthese(*, region_code: str | None = None, mouvements: "Mouvements | None" = None) -> Tableau:
    """The dashboard's summaries, aggregated in SQL (envelopes, totals by envelope and by year), in four queries
    (two when given the region's `mouvements`, which the chart reads too).

    `projets` is left empty: the page reads one page of them (lignes_projets), the exports all.
    """
    in_region = Q(projet__region__code=region_code) if region_code else Q()
    enveloppes = list(Enveloppe.objects.order_by("plafond"))

    totaux = (
        Allocation.objects.filter(in_region)
        .order_by()
        .values("enveloppe__code")
        .annotate(alloue=Sum("montant"), engage=Sum("montant_engage"), verse=Sum("montant_verse"))
    )
    # The programme's envelopes are measured against their ceilings; a region's
    # projects against their allocations (a region has no ceiling of its own).
    plafonds = {e.code: None if region_code else e.plafond for e in enveloppes}
    par_enveloppe = {e.code: Chiffres(plafond=plafonds[e.code]) for e in enveloppes}
    for t in totaux:
        code = t["enveloppe__code"]
        par_enveloppe[code] = Chiffres(t["alloue"], t["engage"], t["verse"], plafonds[code])

    # Years from the months: the chart beside them reads the same two queries (mouvements_mensuels).
    mouvements = mouvements or mouvements_mensuels(region_code=region_code)
    annees: dict[tuple[int, str], dict] = {}
    for cle, lignes in (("engage", mouvements.engages), ("verse", mouvements.verses)):
        for mois, code, total in lignes:
            key = (mois.year, code)
            annee = annees.setdefault(
                key, {"annee": key[0], "enveloppe": key[1], "engage": Decimal("0.00"), "verse": Decimal("0.00")}
            )
            annee[cle] += total
    return Tableau(
        enveloppes=enveloppes,
        par_enveloppe=par_enveloppe,
        projets=[],
        par_annee=[annees[k] for k in sorted(annees)],
    )


def engagement_list() -> QuerySet[Engagement]:
    """Ledger commitments with what a list shows."""
    # The author's profile: comptes.affichage names an author by their role where no full name is set.
    return Engagement.objects.select_related(
        "projet__region", "enveloppe", "auteur__profil", "engagement_origine"
    ).order_by("-date", "-id")


def versement_list() -> QuerySet[Versement]:
    return Versement.objects.select_related(
        "engagement__projet__region", "engagement__enveloppe", "auteur__profil", "versement_origine"
    ).order_by("-date", "-id")


def own_regions_first(queryset: QuerySet, *, region_codes: list[str], region_path: str) -> QuerySet:
    """A director sees every region, with their own first."""
    if not region_codes:
        return queryset
    return queryset.alias(
        _propre=Case(When(**{f"{region_path}__code__in": region_codes}, then=Value(0)), default=Value(1))
    ).order_by("_propre", "-date", "-id")


class Courbes(list):
    """The chart's two series; `lignes` holds the same figures month by month for the table beside it."""

    lignes: list[dict]


@dataclass(frozen=True)
class Mouvements:
    """Net commitments and net payments per month and envelope: (first day of the month, envelope code, total)."""

    engages: list[tuple[date, str, Decimal]]
    verses: list[tuple[date, str, Decimal]]


def mouvements_mensuels(*, region_code: str | None = None, projet_slug: str | None = None) -> Mouvements:
    """The ledger's net amounts per month and envelope, in two queries: the dashboard's years and its chart."""
    filtre_e, filtre_v = Q(), Q()
    if region_code:
        filtre_e &= Q(projet__region__code=region_code)
        filtre_v &= Q(engagement__projet__region__code=region_code)
    if projet_slug:
        filtre_e &= Q(projet__slug=projet_slug)
        filtre_v &= Q(engagement__projet__slug=projet_slug)
    engages = (
        Engagement.objects.filter(filtre_e)
        .annotate(mois=TruncMonth("date"))
        .order_by()
        .values("mois", "enveloppe__code")
        .annotate(total=Sum(_montant_signe(Engagement.Nature.ENGAGEMENT)))
        .values_list("mois", "enveloppe__code", "total")
    )
    verses = (
        Versement.objects.filter(filtre_v)
        .annotate(mois=TruncMonth("date"))
        .order_by()
        .values("mois", "engagement__enveloppe__code")
        .annotate(total=Sum(_montant_signe(Versement.Nature.VERSEMENT)))
        .values_list("mois", "engagement__enveloppe__code", "total")
    )
    return Mouvements(engages=list(engages), verses=list(verses))


def cumuls_mensuels(
    *, region_code: str | None = None, projet_slug: str | None = None, mouvements: Mouvements | None = None
) -> Courbes:
    """Cumulative committed and disbursed amounts month by month, for the charts (from `mouvements` if given)."""
    mouvements = mouvements or mouvements_mensuels(region_code=region_code, projet_slug=projet_slug)
    mois_e: dict[date, Decimal] = {}
    mois_v: dict[date, Decimal] = {}
    for par_mois, lignes in ((mois_e, mouvements.engages), (mois_v, mouvements.verses)):
        for mois, _, total in lignes:
            par_mois[mois] = par_mois.get(mois, Decimal("0.00")) + total
    zero = Decimal("0.00")
    series = Courbes()
    for libelle, par_mois in (("Engagé (cumul)", mois_e), ("Versé (cumul)", mois_v)):
        cumul, points = zero, []
        for mois in sorted(set(mois_e) | set(mois_v)):
            cumul += par_mois.get(mois, zero)
            points.append((mois.strftime("%Y-%m"), cumul))
        series.append({"libelle": libelle, "points": points})
    engages, verses = series[0]["points"], series[1]["points"]
    series.lignes = [
        {
            "mois": mois,
            "engage": mois_e.get(m, zero),
            "verse": mois_v.get(m, zero),
            "cumul_engage": ce,
            "cumul_verse": cv,
        }
        for m, (mois, ce), (_, cv) in zip(sorted(set(mois_e) | set(mois_v)), engages, verses, strict=True)
    ]
    return series


def projet_financement(projet) -> dict:
    """A project's allocations, ledger and allocation history, for its page (four queries)."""
    allocations = list(
        Allocation.objects.filter(projet=projet).select_related("enveloppe").order_by("enveloppe__plafond")
    )
    engagements = list(
        Engagement.objects.filter(projet=projet)
        .select_related("enveloppe", "auteur__profil", "engagement_origine")
        .prefetch_related(
            Prefetch("versements", queryset=Versement.objects.select_related("auteur__profil").order_by("date", "id"))
        )
        .order_by("date", "id")
    )
    historique = list(
        Allocation.history.filter(projet_id=projet.pk)
        .select_related("history_user__profil", "enveloppe")
        .order_by("-history_date")[:50]
    )
    # Each record's previous amount is the next older record of the same allocation
    # (simple_history's prev_record would cost a query per row).
    for i, record in enumerate(historique):
        older = next((h for h in historique[i + 1 :] if h.id == record.id), None)
        record.montant_avant = older.montant if older else None
    return {
        "allocations": [(a, Chiffres(a.montant, a.montant_engage, a.montant_verse)) for a in allocations],
        "engagements": engagements,
        "historique_allocations": historique,
    }


# --- Payment schedules --------------------------------------------------------------------------------------------

PROGRAMME_FIN = 2030


def tranches_en_retard(*, jour: date | None = None, region_code: str | None = None) -> QuerySet[Tranche]:
    """Tranches planned before `jour` (today in Paris) and not fully paid, the oldest first."""
    jour = jour or timezone.localdate()
    tranches = Tranche.objects.en_retard(jour)
    if region_code:
        tranches = tranches.in_region(region_code)
    return tranches.select_related(
        "convention__projet__region", "convention__beneficiaire", "convention__enveloppe"
    ).order_by("date_prevue", "convention__reference", "numero")


def _en_retard_groupees(*, jour: date, region_code: str | None) -> QuerySet:
    """The overdue tranches' ids with what is left on each (`reste`), grouped over a join to the payments.

    tranches_en_retard's subquery per tranche leads the planner to walk every tranche by planned date
    (10 000 projects: 40 000, each with its subquery) before it keeps the region's; grouped, it reads the
    region's tranches, or all of them, once, with their payments.
    """
    tranches = Tranche.objects.filter(date_prevue__lt=jour)
    if region_code:
        tranches = tranches.in_region(region_code)
    net = Sum(
        Case(
            When(versements__nature=Versement.Nature.VERSEMENT, then=F("versements__montant")),
            default=-F("versements__montant"),
            output_field=EUROS,
        )
    )
    return (
        tranches.order_by()
        .values("pk")
        .annotate(reste=ExpressionWrapper(F("montant") - Coalesce(net, ZERO), output_field=EUROS))
        .filter(reste__gt=0)
    )


def tranches_en_retard_premieres(*, jour: date, region_code: str | None, limite: int) -> list[Tranche]:
    """The first `limite` of tranches_en_retard (the oldest), in one query whatever their number."""
    ordre = ("date_prevue", "convention__reference", "numero")
    if not region_code:
        # Across the programme overdue tranches are many among the oldest: walking the tranches by
        # planned date (its index) meets the first ones at once.
        return list(tranches_en_retard(jour=jour)[:limite])
    # The oldest ids picked from the grouped rows (a LIMIT in the IN's subquery), then read with their context.
    premieres = _en_retard_groupees(jour=jour, region_code=region_code).order_by(*ordre).values("pk")[:limite]
    return list(
        Tranche.objects.filter(pk__in=premieres)
        .with_verse()
        .select_related("convention__projet__region", "convention__beneficiaire", "convention__enveloppe")
        .order_by(*ordre)
    )


def tranches_en_retard_totaux(*, jour: date, region_code: str | None) -> tuple[int, Decimal]:
    """The number of tranches_en_retard and what is left on them, in one aggregate query."""
    totaux = _en_retard_groupees(jour=jour, region_code=region_code).aggregate(
        nombre=Count("pk"), total=Coalesce(Sum("reste"), ZERO)
    )
    return totaux["nombre"], totaux["total"]


@dataclass(frozen=True)
class AnneeEcheancier:
    annee: int
    prevu: Decimal
    verse: Decimal

    @property
    def ecart(self) -> Decimal:
        return self.prevu - self.verse


def prevu_verse_par_annee(
    *, convention: Convention | None = None, projet=None, region_code: str | None = None
) -> list[AnneeEcheancier]:
    """Per calendar year: the tranches planned (by planned date) and the net paid on tranches (by payment date)."""
    tranches = Tranche.objects.all()
    versements = Versement.objects.filter(tranche__isnull=False)
    if convention is not None:
        tranches = tranches.filter(convention=convention)
        versements = versements.filter(tranche__convention=convention)
    if projet is not None:
        tranches = tranches.filter(convention__projet=projet)
        versements = versements.filter(tranche__convention__projet=projet)
    if region_code:
        tranches = tranches.in_region(region_code)
        versements = versements.filter(tranche__convention__projet__region__code=region_code)
    return _prevu_verse(tranches, versements, groupe=None).get(None, [])


def prevu_verse_par_projet() -> dict[int, list[AnneeEcheancier]]:
    """prevu_verse_par_annee of every project with a schedule, by project id, in two queries."""
    versements = Versement.objects.filter(tranche__isnull=False)
    return _prevu_verse(Tranche.objects.all(), versements, groupe="convention__projet_id")


def _prevu_verse(tranches, versements, *, groupe: str | None) -> dict:
    """Planned and paid per year, for each value of `groupe` (a path to the project, or None: all together)."""
    cles = [groupe] if groupe else []
    chemin_versement = [f"tranche__{groupe}"] if groupe else []
    prevu = {
        (ligne[groupe] if groupe else None, ligne["annee"]): ligne["total"]
        for ligne in tranches.order_by()
        .annotate(annee=ExtractYear("date_prevue"))
        .values(*cles, "annee")
        .annotate(total=Sum("montant"))
    }
    verse = {
        (ligne[chemin_versement[0]] if groupe else None, ligne["annee"]): ligne["total"]
        for ligne in versements.order_by()
        .annotate(annee=ExtractYear("date"))
        .values(*chemin_versement, "annee")
        .annotate(total=Sum(_montant_signe_versement()))
    }
    zero = Decimal("0.00")
    annees: dict = {}
    for cle in sorted(set(prevu) | set(verse), key=lambda c: (c[0] or 0, c[1])):
        annees.setdefault(cle[0], []).append(
            AnneeEcheancier(annee=cle[1], prevu=prevu.get(cle, zero), verse=verse.get(cle, zero))
        )
    return annees


def _montant_signe_versement():
    return Case(
        When(nature=Versement.Nature.VERSEMENT, then=F("montant")),
        default=-F("montant"),
        output_field=EUROS,
    )


@dataclass(frozen=True)
class LignePrevision:
    annee: int
    enveloppe_code: str
    region_code: str
    region_nom: str
    montant: Decimal


def prevision_versements(*, jour: date | None = None, region_code: str | None = None) -> list[LignePrevision]:
    """What is left to pay on the schedules, per year, envelope and region.

    A tranche counts in the year of its planned date; an overdue one in the current
    year, when it can still be paid at the earliest. Years run to the programme's end
    (2030): a tranche planned later counts in 2030, and none is dropped.
    """
    jour = jour or timezone.localdate()
    tranches = Tranche.objects.with_verse().filter(reste__gt=0)
    if region_code:
        tranches = tranches.in_region(region_code)
    annee = Least(Greatest(ExtractYear("date_prevue"), Value(jour.year)), Value(max(PROGRAMME_FIN, jour.year)))
    lignes = (
        tranches.order_by()
        .annotate(annee=annee)
        .values(
            "annee",
            "convention__enveloppe__code",
            "convention__projet__region__code",
            "convention__projet__region__nom",
        )
        .annotate(total=Sum("reste"))
        .order_by("annee", "convention__enveloppe__code", "convention__projet__region__nom")
    )
    return [
        LignePrevision(
            annee=ligne["annee"],
            enveloppe_code=ligne["convention__enveloppe__code"],
            region_code=ligne["convention__projet__region__code"],
            region_nom=ligne["convention__projet__region__nom"],
            montant=ligne["total"],
        )
        for ligne in lignes
    ]
