"""Synthetic demonstration data, so that the dashboards have something to show.

Everything written here is marked: measurements carry `demo=True`; ledger
entries have a reference starting with "DEMO-" and a motif starting with
MARQUE, or belong to a demo convention (reference "DEMO-", object starting with
MARQUE); the organisations the demo invents are named "Démo — …". The
press-kit data (projects, their organisations, impacts, allocations,
indicators) is never touched: no legal identifier is given to the fiches'
organisations, only to the demo's own. `demo_delete()` removes all of it in
one transaction.

Subsidies go through conventions, as real ones do: a signed convention with a
beneficiary taking part in the project and a schedule of tranches, tranches
paid in full or in part, some left unpaid past their date (overdue), a few
amendments. The equity envelope is invested without conventions.

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
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, DecimalField, F, Q, Sum, When
from django.utils import timezone
from stdnum import luhn

from financements import services as financements
from financements.models import Allocation, Avenant, Convention, Engagement, Enveloppe, Tranche, Versement
from indicateurs import services
from indicateurs.evaluation import regles
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure
from laureats import services as laureats
from laureats.models import Etablissement, Organisation, Partenariat, Projet

PREFIXE = "DEMO-"
MARQUE = "[Démonstration]"
SOURCE = f"{MARQUE} valeur fictive écrite par generer_demo"
# The organisations the demo invents (with legal identifiers, so that the open-data file has rows).
NOM_DEMO = "Démo — "
MILLIER = Decimal("1000")
# Trigger names from financements/migrations/0002_grand_livre_immuable.py.
TRIGGERS = {
    "financements_versement": "financements_versement_immuable",
    "financements_engagement": "financements_engagement_immuable",
}
# How fast each synthetic indicator moves compared to its trajectory: a spread
# of statuses, from ahead of schedule to far behind.
RYTHMES = [Decimal("1.25"), Decimal("1.0"), Decimal("1.0"), Decimal("0.85"), Decimal("0.7"), Decimal("0.4")]
# The last planned payment of a convention: the programme's horizon.
HORIZON = datetime.date(2030, 12, 31)
OBJETS = [
    "Ingénierie et pilotage du projet, animation du consortium",
    "Études de préfiguration et de faisabilité technique",
    "Travaux d'aménagement du site démonstrateur",
    "Acquisition et installation des équipements d'expérimentation",
    "Développement de la plateforme numérique de partage des données",
    "Programme d'expérimentation auprès des habitants et des usagers",
    "Formation des acteurs locaux et accompagnement au changement",
    "Évaluation des résultats et essaimage auprès d'autres territoires",
]
REGIME_AIDE = "SA.58995 — régime cadre exempté relatif aux aides à la recherche, au développement et à l'innovation"
# Name, nature, with a SIRET (SIREN + establishments) and/or an RNA number.
ORGANISATIONS_DEMO = [
    (f"{NOM_DEMO}Régie des énergies citoyennes", Organisation.Nature.ENTREPRISE, ["Siège"], False),
    (f"{NOM_DEMO}Association des tiers-lieux du territoire", Organisation.Nature.ASSOCIATION, ["Siège"], True),
    (f"{NOM_DEMO}Coopérative des vergers et maraîchers", Organisation.Nature.ENTREPRISE, ["Siège", "Atelier"], False),
    (f"{NOM_DEMO}Association Mobilités solidaires", Organisation.Nature.ASSOCIATION, [], True),
]


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
    conventions: int = 0
    tranches: int = 0
    avenants: int = 0
    organisations: int = 0


def demo_exists() -> bool:
    return (
        Mesure.objects.demo().exists()
        or _engagements_demo().exists()
        or _conventions_demo().exists()
        or _organisations_demo().exists()
    )


def _conventions_demo():
    return Convention.objects.filter(reference__startswith=PREFIXE, objet__startswith=MARQUE)


def _engagements_demo():
    return Engagement.objects.filter(
        Q(reference__startswith=PREFIXE, motif__startswith=MARQUE) | Q(convention__in=_conventions_demo())
    )


def _organisations_demo():
    return Organisation.objects.filter(nom__startswith=NOM_DEMO, slug__startswith="demo-")


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
    # A few recent values wait for an officer, one in twenty was rejected, a few were sent back
    # for correction; for about one indicator in five, last year's value was never declared
    # (its period is overdue once its due date has passed).
    tirage = hasard.random()
    if tirage < 0.15:
        mesures[-1].statut, mesures[-1].decision_le, mesures[-1].commentaire = Mesure.Statut.SOUMISE, None, ""
    elif tirage < 0.20:
        mesures[-1].statut = Mesure.Statut.REJETEE
        mesures[-1].commentaire = f"{MARQUE} valeur incohérente avec la série précédente."
    elif tirage < 0.27:
        mesures[-1].statut = Mesure.Statut.A_REVOIR
        mesures[-1].commentaire = f"{MARQUE} précisez la source : quel relevé, à quelle date ?"
    elif tirage < 0.45:
        fin_annee_passee = datetime.date(dates[-1].year - 1, 12, 31)
        mesures = [m for m in mesures[:-1] if m.date != fin_annee_passee] + mesures[-1:]
    return mesures


def _montant(total: Decimal, part: float) -> Decimal:
    return (total * Decimal(str(part)) / MILLIER).quantize(Decimal("1")) * MILLIER


def _date_entre(hasard: random.Random, debut: datetime.date, fin: datetime.date) -> datetime.date:
    return debut + datetime.timedelta(days=hasard.randint(0, max((fin - debut).days, 0)))


def _repartition(total: Decimal, nombre: int, hasard: random.Random, pas: Decimal = MILLIER) -> list[Decimal]:
    """`total` in `nombre` uneven parts rounded to `pas`, the last taking the rest.

    One part only if they cannot all be positive.
    """
    poids = [hasard.uniform(0.5, 1.5) for _ in range(nombre)]
    parts = [(total * Decimal(str(p / sum(poids))) / pas).quantize(Decimal("1")) * pas for p in poids[:-1]]
    parts.append(total - sum(parts, Decimal("0")))
    return parts if all(part > 0 for part in parts) else [total]


# --- The demo's own organisations: invented, clearly named, with valid legal identifiers ----------------------


def _siren_libre(rang: int) -> str:
    """A Luhn-valid SIREN that no organisation of the portal carries (beginning with 9, not a La Poste one)."""
    while True:
        base = f"9{rang:07d}"
        siren = base + luhn.calc_check_digit(base)
        if (
            not Organisation.objects.filter(siren=siren).exists()
            and not Etablissement.objects.filter(siret__startswith=siren).exists()
        ):
            return siren
        rang += 100


def _rna_libre(rang: int) -> str:
    while True:
        rna = f"W26{rang:07d}"
        if not Organisation.objects.filter(rna=rna).exists():
            return rna
        rang += 100


def _organisations_demo_create(
    projets: list[Projet], hasard: random.Random, rapport: RapportDemo
) -> dict[int, list[Organisation]]:
    """Each demo organisation joins two projects as a partner: {project pk: its demo partners}.

    The fiches' organisations keep their empty identifiers (nothing is invented for
    them); these carry a SIREN and SIRETs or an RNA number, so that their conventions
    can be published in the open-data file.
    """
    partenaires: dict[int, list[Organisation]] = {}
    for rang, (nom, nature, sites, association) in enumerate(ORGANISATIONS_DEMO, start=1):
        siren = _siren_libre(rang) if sites else ""
        organisation = laureats.organisation_create(nom=nom, siren=siren, nature=nature, by=None)
        if association:
            organisation.rna = _rna_libre(rang)
            organisation.full_clean()
            organisation._change_reason = f"{MARQUE} numéro RNA fictif"
            organisation.save(update_fields=["rna", "modifie_le"])
        for nic, libelle in enumerate(sites, start=1):
            base = f"{siren}{nic:04d}"
            etablissement = Etablissement(
                organisation=organisation, siret=base + luhn.calc_check_digit(base), libelle=f"{libelle} (fictif)"
            )
            etablissement.full_clean()
            etablissement._change_reason = f"{MARQUE} établissement fictif"
            etablissement.save()
        rapport.organisations += 1
        for projet in hasard.sample(projets, min(2, len(projets))):
            laureats.partenariat_add(
                projet=projet, organisation=organisation, role=Partenariat.Role.PARTENAIRE, by=None
            )
            partenaires.setdefault(projet.pk, []).append(organisation)
    return partenaires


# --- Subsidies: conventions, their schedules, payments and amendments ------------------------------------------


def _echeancier(hasard: random.Random, date_signature: datetime.date, montant: Decimal) -> list[dict]:
    """One to four tranches from the signature to 2030: at signature, on receipts or progress reports, at completion."""
    montants = _repartition(montant, hasard.choice([1, 2, 2, 3, 3, 4]), hasard, pas=Decimal("100"))
    fin = _date_entre(hasard, date_signature + datetime.timedelta(days=730), HORIZON)
    if len(montants) == 1:
        if hasard.random() < 0.6:
            return [{"date_prevue": date_signature, "montant": montant, "condition": "À la signature"}]
        return [{"date_prevue": fin, "montant": montant, "condition": "À l'achèvement, sur rapport final"}]
    ecart = (fin - date_signature) / (len(montants) - 1)
    intermediaires = ["Sur justificatifs de dépenses", "Sur rapport d'étape"]
    conditions = [
        "À la signature",
        *(hasard.choice(intermediaires) for _ in montants[2:]),
        "À l'achèvement, sur rapport final",
    ]
    return [
        {"date_prevue": date_signature + ecart * rang, "montant": part, "condition": condition}
        for rang, (part, condition) in enumerate(zip(montants, conditions, strict=True))
    ]


def _champs_publication(hasard: random.Random, beneficiaire: Organisation, nombre_tranches: int, complet: bool) -> dict:
    """What the SCDL publishes beside the money: complete for some conventions, partly or not filled in for others."""
    conditions = (
        Convention.ConditionsVersement.UNIQUE if nombre_tranches == 1 else Convention.ConditionsVersement.ECHELONNE
    )
    tirage = hasard.random()
    if complet or tirage < 0.35:
        notifiee = hasard.random() < 0.2
        return {
            "etablissement": beneficiaire.etablissements.order_by("siret").first(),
            "nature_aide": Convention.NatureAide.NUMERAIRE if hasard.random() < 0.9 else Convention.NatureAide.NATURE,
            "conditions_versement": conditions,
            "notification_ue": notifiee,
            "regime_aide": REGIME_AIDE if notifiee else "",
            "pourcentage_subvention": Decimal(hasard.randint(2000, 8000)) / 100,
        }
    if tirage < 0.7:
        return {"nature_aide": Convention.NatureAide.NUMERAIRE, "conditions_versement": conditions}
    return {}


def _tranches_payees(convention: Convention, hasard: random.Random, rapport: RapportDemo) -> None:
    """Tranches whose date has come are paid in full or in part; about one in five is left unpaid (overdue)."""
    aujourdhui = timezone.localdate()
    for tranche in convention.tranches.order_by("numero"):
        if tranche.date_prevue > aujourdhui:
            return
        tirage = hasard.random()
        if tirage < 0.2:
            return  # overdue: this one and the later ones wait
        montant = tranche.montant
        if tirage >= 0.85:
            montant = (montant * Decimal(str(round(hasard.uniform(0.3, 0.7), 2)))).quantize(Decimal("0.01"))
        date = _date_entre(
            hasard, tranche.date_prevue, min(tranche.date_prevue + datetime.timedelta(days=120), aujourdhui)
        )
        versements = financements.tranche_pay(
            tranche=tranche,
            montant=montant,
            date=date,
            reference=f"{convention.reference}-T{tranche.numero}",
            motif=f"{MARQUE} versement fictif.",
            by=None,
        )
        rapport.versements += len(versements)
        if montant < tranche.montant:
            return  # the rest of a partly paid tranche is still due


def _conventions_projet(
    projet: Projet,
    allocation: Allocation,
    partenaires_demo: list[Organisation],
    hasard: random.Random,
    rapport: RapportDemo,
    auteur: AbstractBaseUser | None,
) -> list[Convention]:
    """One to three conventions with the project's lead and partners, on a share of its planned subsidy."""
    if not partenaires_demo and hasard.random() < 0.25:
        return []  # a quarter of the projects have no convention yet
    # What is left under the fiche's amount, so that real entries are never crowded out.
    total = min(_montant(allocation.montant, hasard.uniform(0.3, 0.9)), allocation.montant - allocation.montant_engage)
    if total <= 0:
        return []
    autres = [
        p.organisation
        for p in Partenariat.objects.filter(projet=projet)
        .exclude(organisation_id=projet.chef_de_file_id)
        .exclude(organisation__in=partenaires_demo)
        .select_related("organisation")
        .order_by("organisation__nom")
    ]
    beneficiaires = [projet.chef_de_file, *partenaires_demo, *autres]
    nombre = min(len(beneficiaires), max(hasard.randint(1, 3), 1 + len(partenaires_demo)))
    aujourdhui = timezone.localdate()
    objets = hasard.sample(OBJETS, nombre)
    conventions = []
    montants = _repartition(total, nombre, hasard)
    # Fewer amounts than beneficiaries when the total is too small to split: the first ones only.
    for rang, (beneficiaire, montant) in enumerate(zip(beneficiaires, montants, strict=False), start=1):
        date_signature = _date_entre(hasard, datetime.date(2020, 3, 1), min(datetime.date(2025, 6, 30), aujourdhui))
        tranches = _echeancier(hasard, date_signature, montant)
        try:
            convention = financements.convention_create(
                projet=projet,
                beneficiaire=beneficiaire,
                objet=f"{MARQUE} {objets[rang - 1]}",
                date_signature=date_signature,
                reference=f"{PREFIXE}C{rang}-{projet.slug}"[:110],
                montant=montant,
                tranches=tranches,
                by=None,
                # The demo's organisations are there to be published: their conventions are complete.
                **_champs_publication(hasard, beneficiaire, len(tranches), complet=beneficiaire in partenaires_demo),
            )
        except financements.PlafondDepasse:
            break  # the envelope is full with real entries: no more demo conventions there
        rapport.conventions += 1
        rapport.engagements += 1
        rapport.tranches += len(tranches)
        _tranches_payees(convention, hasard, rapport)
        if rapport.conventions % 3 == 0:
            _annulation_demo(convention, hasard, rapport, auteur)
        conventions.append(convention)
    return conventions


def _annulation_demo(
    convention: Convention, hasard: random.Random, rapport: RapportDemo, auteur: AbstractBaseUser | None
) -> None:
    premier = Versement.objects.filter(tranche__convention=convention).order_by("date", "pk").first()
    if premier is None:
        return
    financements.versement_cancel(
        versement=premier,
        montant=(premier.montant / 10).quantize(Decimal("0.01")),
        date=_date_entre(hasard, premier.date, timezone.localdate()),
        reference=f"{premier.reference}-A"[:120],
        motif=f"{MARQUE} annulation fictive : un trop-perçu reversé.",
        by=auteur,
    )
    rapport.versements += 1
    rapport.annulations += 1


def _avenants_demo(
    conventions: list[Convention], hasard: random.Random, rapport: RapportDemo, auteur: AbstractBaseUser | None
) -> None:
    """Two amendments cut a convention's unpaid part (releases), one raises another's amount (a commitment)."""
    aujourdhui = timezone.localdate()
    baisses = hausses = 0
    for convention in hasard.sample(conventions, len(conventions)):
        convention.refresh_from_db(fields=["montant"])
        if baisses < 2:
            paye = sum((financements.tranche_verse(t) for t in convention.tranches.all()), Decimal("0"))
            variation = -_montant(convention.montant - paye, 0.3)
            motif = f"{MARQUE} avenant fictif : une action abandonnée, le montant revu à la baisse."
        elif hausses < 1:
            allocation = Allocation.objects.get(pk=convention.allocation_id)
            variation = min(_montant(convention.montant, 0.15), allocation.montant - allocation.montant_engage)
            motif = f"{MARQUE} avenant fictif : le périmètre de l'action étendu à une commune voisine."
            if variation <= 0:
                continue
        else:
            return
        if not variation:
            continue
        try:
            avenant = financements.avenant_create(
                convention=convention,
                variation=variation,
                date=_date_entre(hasard, convention.date_signature, aujourdhui),
                reference=f"{convention.reference}-AV1",
                motif=motif,
                by=auteur,
            )
        except (financements.PlafondDepasse, ValidationError):
            # The envelope is full, or the adjusted schedule no longer fits the payment
            # conditions (a single payment that a raise would split): another convention will do.
            continue
        rapport.avenants += 1
        ecritures = avenant.ecritures.count()
        rapport.engagements += ecritures
        if variation < 0:
            baisses += 1
            rapport.desengagements += ecritures
        else:
            hausses += 1


# --- Equity: commitments without conventions -------------------------------------------------------------------


def _investissement_demo(
    projet: Projet,
    allocation: Allocation,
    hasard: random.Random,
    rapport: RapportDemo,
    auteur: AbstractBaseUser | None,
    rang: int,
) -> bool:
    """An equity commitment and two disbursements on about half of the projects; every third one is corrected."""
    if hasard.random() < 0.5:
        return False  # equity is invested in about half of the projects
    # What is left under the fiche's amount, so that real entries are never crowded out.
    montant = min(
        _montant(allocation.montant, hasard.uniform(0.1, 0.4)), allocation.montant - allocation.montant_engage
    )
    if montant <= 0:
        return False
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
        return False  # the envelope is full with real entries: no demo commitment there
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
    if rang % 3 == 0:
        _corrections_demo(engagement, hasard, rapport, auteur)
    return True


def _corrections_demo(
    engagement: Engagement, hasard: random.Random, rapport: RapportDemo, auteur: AbstractBaseUser | None
) -> None:
    """Part of the unpaid remainder released, and the first payment partly reversed.

    The ledger's corrections are what API clients meet least and must read right
    (`engagement_origine`, `versement_origine`); `auteur` (an officer) signs them.
    """
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
    """Write synthetic measurements, subsidy conventions with their schedules and payments, equity
    commitments and disbursements, then evaluate year by year.

    Without `auteur` every entry is the system's; with one, the corrections, the amendments
    and each indicator's latest value are signed by that account, the rest staying the system's.
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
    # Each value in the reporting period holding its date.
    services.periodes_sync(indicateurs=Indicateur.objects.all())

    allocations = list(
        Allocation.objects.select_related("enveloppe", "projet__chef_de_file").order_by(
            "projet__ordre", "enveloppe__code"
        )
    )
    subventionnes = [a.projet for a in allocations if a.enveloppe.code == Enveloppe.Code.SUBVENTION]
    partenaires_demo = _organisations_demo_create(subventionnes, hasard, rapport)
    conventions, investissements = [], 0
    for allocation in allocations:
        if allocation.enveloppe.code == Enveloppe.Code.SUBVENTION:
            conventions += _conventions_projet(
                allocation.projet, allocation, partenaires_demo.get(allocation.projet.pk, []), hasard, rapport, auteur
            )
        elif _investissement_demo(allocation.projet, allocation, hasard, rapport, auteur, investissements + 1):
            investissements += 1
    _avenants_demo(conventions, hasard, rapport, auteur)

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

    conventions = _conventions_demo()
    organisations = _organisations_demo()
    engagements = _engagements_demo()
    versements = Versement.objects.filter(engagement__in=engagements)
    if (
        versements.exclude(reference__startswith=PREFIXE).exists()
        or Engagement.objects.filter(engagement_origine__in=engagements).exclude(reference__startswith=PREFIXE).exists()
        # An officer's amendment to a demo convention, or a real convention with a demo organisation.
        or engagements.exclude(reference__startswith=PREFIXE).exists()
        or Avenant.objects.filter(convention__in=conventions).exclude(reference__startswith=PREFIXE).exists()
        or Convention.objects.filter(beneficiaire__in=organisations).exclude(pk__in=conventions).exists()
    ):
        raise DemoExiste(
            "Des écritures réelles portent sur des engagements, des conventions ou des organisations de "
            "démonstration : rien n'a été supprimé."
        )

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

    # The rows removed below leave no trace in the histories either (pages of recent changes).
    traces = {
        Engagement: list(engagements.values_list("pk", flat=True)),
        Versement: list(versements.values_list("pk", flat=True)),
        Convention: list(conventions.values_list("pk", flat=True)),
        Tranche: list(Tranche.objects.filter(convention__in=conventions).values_list("pk", flat=True)),
        Avenant: list(Avenant.objects.filter(convention__in=conventions).values_list("pk", flat=True)),
        Organisation: list(organisations.values_list("pk", flat=True)),
        Etablissement: list(Etablissement.objects.filter(organisation__in=organisations).values_list("pk", flat=True)),
        Partenariat: list(Partenariat.objects.filter(organisation__in=organisations).values_list("pk", flat=True)),
    }
    with _grand_livre_modifiable():
        # Corrections first: they hold their origin entry through a protected key.
        annulations, _ = versements.filter(versement_origine__isnull=False).delete()
        desengagements, _ = engagements.filter(engagement_origine__isnull=False).delete()
        rapport.versements = annulations + versements.delete()[0]
        rapport.engagements = desengagements + engagements.delete()[0]
    # Then what the entries pointed to: amendments, conventions (their tranches with them), organisations.
    rapport.avenants, _ = Avenant.objects.filter(convention_id__in=traces[Convention]).delete()
    _, supprimees = Convention.objects.filter(pk__in=traces[Convention]).delete()
    rapport.conventions = supprimees.get(Convention._meta.label, 0)
    rapport.tranches = supprimees.get(Tranche._meta.label, 0)
    Partenariat.objects.filter(pk__in=traces[Partenariat]).delete()
    _, supprimees = Organisation.objects.filter(pk__in=traces[Organisation]).delete()
    rapport.organisations = supprimees.get(Organisation._meta.label, 0)
    for modele, pks in traces.items():
        modele.history.filter(id__in=pks).delete()
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
