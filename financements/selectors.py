from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
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
from django.db.models.functions import Coalesce, ExtractYear

from financements.models import Allocation, Engagement, Enveloppe, Versement

EUROS = DecimalField(max_digits=15, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=EUROS)
CENT = Decimal("0.01")


def enveloppe_list() -> QuerySet[Enveloppe]:
    """Envelopes with their computed figures: allocated, committed, disbursed, left to commit."""
    total_alloue = Subquery(
        Allocation.objects.filter(enveloppe=OuterRef("pk"))
        .order_by()
        .values("enveloppe")
        .annotate(total=Sum("montant"))
        .values("total"),
        output_field=EUROS,
    )
    return Enveloppe.objects.annotate(
        total_alloue=Coalesce(total_alloue, ZERO),
        reste_a_engager=ExpressionWrapper(F("plafond") - F("montant_engage"), output_field=EUROS),
        reste_a_verser=ExpressionWrapper(F("montant_engage") - F("montant_verse"), output_field=EUROS),
        depassement_allocations=ExpressionWrapper(F("total_alloue") - F("plafond"), output_field=EUROS),
    ).order_by("plafond")


def taux(numerateur: Decimal, denominateur: Decimal) -> Decimal | None:
    """A rate in %, two decimals; None where the denominator is zero."""
    if not denominateur:
        return None
    return (numerateur * 100 / denominateur).quantize(CENT)


@dataclass
class Chiffres:
    """Allocated, committed and disbursed amounts, and what follows from them."""

    alloue: Decimal = Decimal("0.00")
    engage: Decimal = Decimal("0.00")
    verse: Decimal = Decimal("0.00")

    @property
    def reste_a_engager(self) -> Decimal:
        return self.alloue - self.engage

    @property
    def reste_a_verser(self) -> Decimal:
        return self.engage - self.verse

    @property
    def taux_engagement(self) -> Decimal | None:
        return taux(self.engage, self.alloue)

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


def _montant_signe(nature_engagement: str):
    return Case(When(nature=nature_engagement, then=F("montant")), default=-F("montant"), output_field=EUROS)


def tableau_financier(*, region_code: str | None = None) -> Tableau:
    """Dashboard figures for the programme or one region, in four queries."""
    in_region = Q(projet__region__code=region_code) if region_code else Q()
    enveloppes = list(Enveloppe.objects.order_by("plafond"))

    # Tuples rather than instances: a region of 500 projects has 1 000 allocations,
    # and four model instances each (allocation, project, region, envelope) cost more than the query.
    allocations = (
        Allocation.objects.filter(in_region)
        .order_by("projet__region__nom", "projet__ordre", "projet__titre")
        .values_list(
            "montant", "montant_engage", "montant_verse", "enveloppe__code",
            "projet__slug", "projet__titre", "projet__region__code", "projet__region__nom",
        )
    )  # fmt: skip
    projets: dict[str, LigneProjet] = {}
    for montant, engage, verse, code, slug, titre, region_code, region_nom in allocations:
        ligne = projets.setdefault(slug, LigneProjet(slug, titre, region_code, region_nom))
        ligne.par_enveloppe[code] = Chiffres(montant, engage, verse)

    totaux = (
        Allocation.objects.filter(in_region)
        .order_by()
        .values("enveloppe__code")
        .annotate(alloue=Sum("montant"), engage=Sum("montant_engage"), verse=Sum("montant_verse"))
    )
    par_enveloppe = {e.code: Chiffres() for e in enveloppes}
    for t in totaux:
        par_enveloppe[t["enveloppe__code"]] = Chiffres(t["alloue"], t["engage"], t["verse"])

    engagements = (
        Engagement.objects.filter(in_region)
        .annotate(annee=ExtractYear("date"))
        .order_by()
        .values("annee", "enveloppe__code")
        .annotate(engage=Sum(_montant_signe(Engagement.Nature.ENGAGEMENT)))
    )
    versements = (
        Versement.objects.filter(Q(engagement__projet__region__code=region_code) if region_code else Q())
        .annotate(annee=ExtractYear("date"))
        .order_by()
        .values("annee", "engagement__enveloppe__code")
        .annotate(verse=Sum(_montant_signe(Versement.Nature.VERSEMENT)))
    )
    annees: dict[tuple[int, str], dict] = {}
    for row in engagements:
        key = (row["annee"], row["enveloppe__code"])
        annees.setdefault(
            key, {"annee": key[0], "enveloppe": key[1], "engage": Decimal("0.00"), "verse": Decimal("0.00")}
        )
        annees[key]["engage"] = row["engage"]
    for row in versements:
        key = (row["annee"], row["engagement__enveloppe__code"])
        annees.setdefault(
            key, {"annee": key[0], "enveloppe": key[1], "engage": Decimal("0.00"), "verse": Decimal("0.00")}
        )
        annees[key]["verse"] = row["verse"]
    return Tableau(
        enveloppes=enveloppes,
        par_enveloppe=par_enveloppe,
        projets=list(projets.values()),
        par_annee=[annees[k] for k in sorted(annees)],
    )


def engagement_list() -> QuerySet[Engagement]:
    """Ledger commitments with what a list shows."""
    return Engagement.objects.select_related("projet__region", "enveloppe", "auteur", "engagement_origine").order_by(
        "-date", "-id"
    )


def versement_list() -> QuerySet[Versement]:
    return Versement.objects.select_related(
        "engagement__projet__region", "engagement__enveloppe", "auteur", "versement_origine"
    ).order_by("-date", "-id")


def own_regions_first(queryset: QuerySet, *, region_codes: list[str], region_path: str) -> QuerySet:
    """A director sees every region, with their own first."""
    if not region_codes:
        return queryset
    return queryset.alias(
        _propre=Case(When(**{f"{region_path}__code__in": region_codes}, then=Value(0)), default=Value(1))
    ).order_by("_propre", "-date", "-id")


def cumuls_mensuels(*, region_code: str | None = None, projet_slug: str | None = None) -> list[dict]:
    """Cumulative committed and disbursed amounts month by month, for the charts."""
    from django.db.models.functions import TruncMonth

    filtre_e, filtre_v = Q(), Q()
    if region_code:
        filtre_e &= Q(projet__region__code=region_code)
        filtre_v &= Q(engagement__projet__region__code=region_code)
    if projet_slug:
        filtre_e &= Q(projet__slug=projet_slug)
        filtre_v &= Q(engagement__projet__slug=projet_slug)
    mois_e = dict(
        Engagement.objects.filter(filtre_e)
        .annotate(mois=TruncMonth("date"))
        .order_by()
        .values("mois")
        .annotate(total=Sum(_montant_signe(Engagement.Nature.ENGAGEMENT)))
        .values_list("mois", "total")
    )
    mois_v = dict(
        Versement.objects.filter(filtre_v)
        .annotate(mois=TruncMonth("date"))
        .order_by()
        .values("mois")
        .annotate(total=Sum(_montant_signe(Versement.Nature.VERSEMENT)))
        .values_list("mois", "total")
    )
    series = []
    for libelle, par_mois in (("Engagé (cumul)", mois_e), ("Versé (cumul)", mois_v)):
        cumul, points = Decimal("0.00"), []
        for mois in sorted(set(mois_e) | set(mois_v)):
            cumul += par_mois.get(mois, Decimal("0.00"))
            points.append((mois.strftime("%Y-%m"), cumul))
        series.append({"libelle": libelle, "points": points})
    return series


def projet_financement(projet) -> dict:
    """A project's allocations, ledger and allocation history, for its page (four queries)."""
    allocations = list(
        Allocation.objects.filter(projet=projet).select_related("enveloppe").order_by("enveloppe__plafond")
    )
    engagements = list(
        Engagement.objects.filter(projet=projet)
        .select_related("enveloppe", "auteur", "engagement_origine")
        .prefetch_related(
            Prefetch("versements", queryset=Versement.objects.select_related("auteur").order_by("date", "id"))
        )
        .order_by("date", "id")
    )
    historique = list(
        Allocation.history.filter(projet_id=projet.pk)
        .select_related("history_user", "enveloppe")
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
