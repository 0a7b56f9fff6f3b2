"""Synthetic demonstration data, so that the dashboards have something to show.

Everything written here is marked: measurements carry `demo=True`; ledger
entries have a reference starting with "DEMO-" and a motif starting with
MARQUE. The press-kit data (projects, impacts, allocations, indicators) is
never touched. `demo_delete()` removes all of it in one transaction.

The ledger is append-only (financements/migrations/0002_grand_livre_immuable.py
makes PostgreSQL refuse DELETE). Demo entries are not part of the ledger's
story, so their removal lifts that trigger for the two ledger tables, inside
the removal's transaction only (ALTER TABLE ... DISABLE TRIGGER is
transactional and locks the tables until commit, so no other write can slip
through meanwhile), and subtracts them from the running totals of the
allocations and envelopes. It refuses if any real entry refers to a demo one.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import timezone

from financements import services as financements
from financements.models import Allocation, Engagement, Enveloppe, Versement
from indicateurs import services
from indicateurs.evaluation import regles
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure
from laureats.models import Projet

PREFIXE = "DEMO-"
MARQUE = "[Démonstration]"
SOURCE = f"{MARQUE} valeur fictive écrite par generer_demo"
MILLIER = Decimal("1000")
# Trigger names from financements/migrations/0002_grand_livre_immuable.py.
TRIGGERS = {
    "financements_versement": "financements_versement_immuable",
    "financements_engagement": "financements_engagement_immuable",
}
# How fast each synthetic indicator moves compared to its trajectory: a spread
# of statuses, from ahead of schedule to far behind.
RYTHMES = [Decimal("1.25"), Decimal("1.0"), Decimal("1.0"), Decimal("0.85"), Decimal("0.7"), Decimal("0.4")]


class DemoExiste(Exception):
    pass


@dataclass
class RapportDemo:
    mesures: int = 0
    engagements: int = 0
    versements: int = 0
    evaluations: int = 0
    # Corrections, counted apart (and also within engagements/versements).
    desengagements: int = 0
    annulations: int = 0


def demo_exists() -> bool:
    return Mesure.objects.demo().exists() or _engagements_demo().exists()


def _engagements_demo():
    return Engagement.objects.filter(reference__startswith=PREFIXE, motif__startswith=MARQUE)


def _dates_de_mesure(aujourdhui: datetime.date) -> list[datetime.date]:
    """One value a year at year end since 2020, and a recent one."""
    dates = [datetime.date(annee, 12, 31) for annee in range(2020, aujourdhui.year)]
    recente = aujourdhui - datetime.timedelta(days=30)
    if not dates or recente > dates[-1]:
        dates.append(recente)
    return dates


def _arrondi(valeur: Decimal, indicateur: Indicateur) -> Decimal:
    pas = Decimal("0.1") if indicateur.unite == "%" or abs(indicateur.valeur_cible) < 100 else Decimal("1")
    return valeur.quantize(pas, rounding=ROUND_HALF_UP)


def _depart(indicateur: Indicateur, hasard: random.Random) -> Decimal:
    """Where a synthetic series starts: the fiche's baseline, or a plausible value short of the target."""
    if indicateur.valeur_reference is not None:
        return indicateur.valeur_reference
    cible = indicateur.valeur_cible
    facteur = Decimal(str(round(hasard.uniform(0.2, 0.6), 2)))
    if indicateur.sens == Indicateur.Sens.BAISSE:
        return cible * (2 - facteur) if cible else Decimal(hasard.randint(5, 20))
    return cible * facteur


def _mesures_demo(
    indicateur: Indicateur, hasard: random.Random, dates: list[datetime.date], auteur: AbstractBaseUser | None
) -> list[Mesure]:
    depart = _depart(indicateur, hasard)
    distance = indicateur.valeur_cible - depart
    rythme = hasard.choice(RYTHMES)
    maintenant = timezone.now()
    mesures = []
    for date in dates:
        avance = regles.fraction_ecoulee(regles.DEBUT_PROGRAMME, indicateur.echeance, date) * rythme
        bruit = Decimal(str(round(hasard.uniform(-0.03, 0.03), 3)))
        mesures.append(
            Mesure(
                indicateur=indicateur,
                date=date,
                # A fast pace may overshoot a share's 100 % or a decrease's zero.
                valeur=indicateur.domaine.borner(_arrondi(depart + distance * (avance + bruit), indicateur)),
                source=SOURCE,
                statut=Mesure.Statut.VALIDEE,
                decision_le=maintenant,
                commentaire=MARQUE,
                demo=True,
            )
        )
    # The history came from the fiches' follow-up files (no author); the latest value was typed in.
    mesures[-1].auteur = auteur
    # A few recent values wait for an officer, one in twenty was rejected.
    tirage = hasard.random()
    if tirage < 0.15:
        mesures[-1].statut, mesures[-1].decision_le, mesures[-1].commentaire = Mesure.Statut.SOUMISE, None, ""
    elif tirage < 0.20:
        mesures[-1].statut = Mesure.Statut.REJETEE
        mesures[-1].commentaire = f"{MARQUE} valeur incohérente avec la série précédente."
    return mesures


def _montant(total: Decimal, part: float) -> Decimal:
    return (total * Decimal(str(part)) / MILLIER).quantize(Decimal("1")) * MILLIER


def _date_entre(hasard: random.Random, debut: datetime.date, fin: datetime.date) -> datetime.date:
    return debut + datetime.timedelta(days=hasard.randint(0, max((fin - debut).days, 0)))


def _ledger_demo(
    projet: Projet,
    allocation: Allocation,
    hasard: random.Random,
    rapport: RapportDemo,
    auteur: AbstractBaseUser | None,
) -> None:
    subvention = allocation.enveloppe.code == Enveloppe.Code.SUBVENTION
    if not subvention and hasard.random() < 0.5:
        return  # equity is invested in about half of the projects
    part = hasard.uniform(0.3, 0.9) if subvention else hasard.uniform(0.1, 0.4)
    # What is left under the fiche's amount, so that real entries are never crowded out.
    montant = min(_montant(allocation.montant, part), allocation.montant - allocation.montant_engage)
    if montant <= 0:
        return
    aujourdhui = timezone.localdate()
    date = _date_entre(hasard, datetime.date(2020, 1, 15), min(datetime.date(2024, 12, 31), aujourdhui))
    try:
        engagement = financements.engagement_create(
            projet=projet,
            enveloppe=allocation.enveloppe,
            montant=montant,
            date=date,
            reference=f"{PREFIXE}{allocation.enveloppe.code[:3].upper()}-{projet.slug}"[:120],
            motif=f"{MARQUE} engagement fictif écrit par generer_demo ; supprimé par generer_demo --supprimer.",
            by=None,
        )
    except financements.PlafondDepasse:
        return  # the envelope is full with real entries: no demo commitment there
    rapport.engagements += 1
    verse = _montant(montant, hasard.uniform(0.2, 0.8))
    moitie = (verse / 2).quantize(Decimal("0.01"))
    for n, tranche in enumerate([moitie, verse - moitie], start=1):
        if tranche <= 0:
            continue
        financements.versement_create(
            engagement=engagement,
            montant=tranche,
            date=_date_entre(hasard, date, aujourdhui),
            reference=f"{engagement.reference}-V{n}"[:120],
            motif=f"{MARQUE} versement fictif.",
            by=None,
        )
        rapport.versements += 1
    _corrections_demo(engagement, hasard, rapport, auteur)


def _corrections_demo(
    engagement: Engagement, hasard: random.Random, rapport: RapportDemo, auteur: AbstractBaseUser | None
) -> None:
    """Every third commitment has part of its unpaid remainder released, and its first payment partly reversed.

    The ledger's corrections are what API clients meet least and must read right
    (`engagement_origine`, `versement_origine`); `auteur` (an officer) signs them.
    """
    if (rapport.engagements - rapport.desengagements) % 3:
        return
    aujourdhui = timezone.localdate()
    libere = _montant(engagement.montant - engagement.versements.aggregate(total=Sum("montant"))["total"], 0.25)
    if libere > 0:
        financements.desengagement_create(
            engagement=engagement,
            montant=libere,
            date=_date_entre(hasard, engagement.date, aujourdhui),
            reference=f"{engagement.reference}-D"[:120],
            motif=f"{MARQUE} désengagement fictif : une action abandonnée.",
            by=auteur,
        )
        rapport.engagements += 1
        rapport.desengagements += 1
    premier = engagement.versements.order_by("date", "pk").first()
    if premier is not None:
        financements.versement_cancel(
            versement=premier,
            montant=(premier.montant / 10).quantize(Decimal("0.01")),
            date=_date_entre(hasard, premier.date, aujourdhui),
            reference=f"{premier.reference}-A"[:120],
            motif=f"{MARQUE} annulation fictive : un trop-perçu reversé.",
            by=auteur,
        )
        rapport.versements += 1
        rapport.annulations += 1


@transaction.atomic
def demo_generate(*, graine: int = 2019, auteur: AbstractBaseUser | None = None) -> RapportDemo:
    """Write synthetic measurements, commitments and disbursements, then evaluate year by year.

    Without `auteur` every entry is the system's; with one, the corrections and each
    indicator's latest value are signed by that account, the rest staying the system's.
    """
    if demo_exists():
        raise DemoExiste(
            "Des données de démonstration existent déjà : supprimez-les d'abord (generer_demo --supprimer)."
        )
    hasard = random.Random(graine)  # noqa: S311 - reproducible fake data, not a secret
    rapport = RapportDemo()
    aujourdhui = timezone.localdate()
    dates = _dates_de_mesure(aujourdhui)

    # A date that already holds a real value keeps it: one kept value per indicator and date.
    occupees = set(Mesure.objects.exclude(statut=Mesure.Statut.REJETEE).values_list("indicateur_id", "date"))
    mesures = []
    for indicateur in Indicateur.objects.order_by("pk"):
        if hasard.random() < 0.05:
            continue  # a few indicators stay without data ("non renseigné")
        serie = _mesures_demo(indicateur, hasard, dates, auteur)
        mesures.extend(m for m in serie if (indicateur.pk, m.date) not in occupees)
    for mesure in mesures:
        # The database checks uniqueness and constraints on insert; this checks the fields.
        mesure.full_clean(validate_unique=False, validate_constraints=False)
    rapport.mesures = len(Mesure.objects.bulk_create(mesures))

    allocations = Allocation.objects.select_related("enveloppe", "projet").order_by("projet__ordre", "enveloppe__code")
    for allocation in allocations:
        _ledger_demo(allocation.projet, allocation, hasard, rapport, auteur)

    # Year-end evaluations give the status history something to show.
    for date in [*dates[:-1], aujourdhui]:
        rapport.evaluations += services.evaluation_run(date=date).nb_indicateurs
    return rapport


def _signe(champ_nature: str, positive: str, montant: str = "montant") -> Sum:
    return Sum(
        Case(When(**{champ_nature: positive}, then=F(montant)), default=-F(montant)),
        output_field=DecimalField(max_digits=15, decimal_places=2),
    )


@transaction.atomic
def demo_delete() -> RapportDemo:
    """Remove every demo row and what was computed from it; real data is left as it was."""
    rapport = RapportDemo()
    mesures = Mesure.objects.demo()
    indicateurs = set(mesures.values_list("indicateur_id", flat=True))
    # Evaluations of these indicators were computed from demo values.
    Evaluation.objects.filter(indicateur_id__in=indicateurs).delete()
    ChangementStatut.objects.filter(indicateur_id__in=indicateurs).delete()
    rapport.mesures, _ = mesures.delete()

    engagements = _engagements_demo()
    versements = Versement.objects.filter(engagement__in=engagements)
    reels = Versement.objects.filter(engagement__in=engagements).exclude(reference__startswith=PREFIXE)
    if (
        reels.exists()
        or Engagement.objects.filter(engagement_origine__in=engagements).exclude(reference__startswith=PREFIXE).exists()
    ):
        raise DemoExiste("Des écritures réelles portent sur des engagements de démonstration : rien n'a été supprimé.")

    engage = dict(
        engagements.order_by().values("allocation_id").annotate(net=_signe("nature", "engagement"))
        .values_list("allocation_id", "net")
    )  # fmt: skip
    verse = dict(
        versements.order_by().values("engagement__allocation_id").annotate(net=_signe("nature", "versement"))
        .values_list("engagement__allocation_id", "net")
    )  # fmt: skip
    zero = Decimal("0.00")
    par_enveloppe: dict[int, list[Decimal]] = {}
    for allocation in Allocation.objects.filter(pk__in=set(engage) | set(verse)).select_for_update():
        moins_engage, moins_verse = engage.get(allocation.pk, zero), verse.get(allocation.pk, zero)
        Allocation.objects.filter(pk=allocation.pk).update(
            montant_engage=F("montant_engage") - moins_engage, montant_verse=F("montant_verse") - moins_verse
        )
        totaux = par_enveloppe.setdefault(allocation.enveloppe_id, [zero, zero])
        totaux[0] += moins_engage
        totaux[1] += moins_verse
    for enveloppe_id, (moins_engage, moins_verse) in par_enveloppe.items():
        Enveloppe.objects.filter(pk=enveloppe_id).update(
            montant_engage=F("montant_engage") - moins_engage, montant_verse=F("montant_verse") - moins_verse
        )

    with _grand_livre_modifiable():
        # Corrections first: they hold their origin entry through a protected key.
        annulations, _ = versements.filter(versement_origine__isnull=False).delete()
        desengagements, _ = engagements.filter(engagement_origine__isnull=False).delete()
        rapport.versements = annulations + versements.delete()[0]
        rapport.engagements = desengagements + engagements.delete()[0]
    return rapport


class _grand_livre_modifiable:
    """Lift the ledger's immutability trigger until the end of the current transaction (PostgreSQL)."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Deferred foreign-key checks pending on these tables would forbid ALTER TABLE.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table, trigger in TRIGGERS.items():
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")

    def __exit__(self, *exc):
        if connection.vendor == "postgresql" and exc[0] is None:
            with connection.cursor() as cursor:
                for table, trigger in TRIGGERS.items():
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return False
