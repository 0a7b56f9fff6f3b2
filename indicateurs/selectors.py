"""Reads of indicators, measurements and evaluations, in a bounded number of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from comptes.models import Profil
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from indicateurs.evaluation import regles
from indicateurs.models import (
    ETATS_DUS,
    ChangementStatut,
    EtatPeriode,
    Evaluation,
    ImpactQualitatif,
    Indicateur,
    Mesure,
    Periode,
    Statut,
)
from laureats.models import Impact, Projet

STATUTS_A_RISQUE = [Statut.EN_RETARD, Statut.A_SURVEILLER]


# --- Indicators -----------------------------------------------------------------


def _derniere_evaluation() -> Prefetch:
    # A sliced prefetch runs as one window-function query for all indicators.
    return Prefetch("evaluations", queryset=Evaluation.objects.order_by("-date")[:1], to_attr="evaluations_recentes")


def indicateur_list() -> QuerySet[Indicateur]:
    """Indicators with their impact, project, region and latest evaluation, in constant queries."""
    return Indicateur.objects.select_related("impact__projet__region").prefetch_related(_derniere_evaluation())


def indicateur_detail(code: str) -> Indicateur:
    """One indicator with its validated measurements and its status history (raises DoesNotExist)."""
    return (
        indicateur_list()
        .prefetch_related(
            Prefetch("mesures", queryset=Mesure.objects.validated().order_by("date", "pk"), to_attr="mesures_validees"),
            Prefetch("changements_statut", queryset=ChangementStatut.objects.order_by("-date")),
        )
        .get(code=code)
    )


@dataclass
class BlocImpact:
    """A 2030 impact of a fiche and how it is followed: indicators, or qualitative."""

    impact: Impact
    indicateurs: list[Indicateur] = field(default_factory=list)
    qualitatif: ImpactQualitatif | None = None


def projet_indicateurs(projet: Projet) -> list[BlocImpact]:
    """Every impact of a project with its indicators, latest evaluations and validated measurements.

    Four queries whatever the number of indicators (indicators, their latest
    evaluation, their validated measurements, the qualitative impacts); the
    impacts themselves come from the project's prefetch when it has one.
    """
    indicateurs = list(
        Indicateur.objects.of_projet(projet).prefetch_related(
            _derniere_evaluation(),
            Prefetch("mesures", queryset=Mesure.objects.validated().order_by("date", "pk"), to_attr="mesures_validees"),
        )
    )
    qualitatifs = {q.impact_id: q for q in ImpactQualitatif.objects.filter(impact__projet=projet)}
    blocs = []
    for impact in projet.impacts.all():
        blocs.append(
            BlocImpact(
                impact=impact,
                indicateurs=[i for i in indicateurs if i.impact_id == impact.pk],
                qualitatif=qualitatifs.get(impact.pk),
            )
        )
    return blocs


# --- Programme-wide view ------------------------------------------------------------


def _avec_statut_courant(indicateurs: QuerySet[Indicateur]) -> QuerySet[Indicateur]:
    """Annotate each indicator with the status of its latest evaluation ("non renseigné" if none)."""
    courant = Evaluation.objects.filter(indicateur=OuterRef("pk")).order_by("-date").values("statut")[:1]
    return indicateurs.annotate(statut_courant=Coalesce(Subquery(courant), Value(Statut.NON_RENSEIGNE)))


def _comptes_par_statut() -> dict:
    comptes = {statut: Count("pk", filter=Q(statut_courant=statut)) for statut in Statut.values}
    return {**comptes, "total": Count("pk")}


def statuts_par_region(indicateurs: QuerySet[Indicateur] | None = None) -> list[dict]:
    """Number of indicators in each current status, by region (one grouped query)."""
    indicateurs = Indicateur.objects.all() if indicateurs is None else indicateurs
    return list(
        _avec_statut_courant(indicateurs)
        .values(region_code=F("impact__projet__region__code"), region_nom=F("impact__projet__region__nom"))
        .annotate(**_comptes_par_statut())
        .order_by("region_nom")
    )


def statuts_par_thematique(indicateurs: QuerySet[Indicateur] | None = None) -> list[dict]:
    """Number of indicators in each current status, by theme of their project (one grouped query).

    A project with several themes counts its indicators under each of them.
    """
    indicateurs = Indicateur.objects.all() if indicateurs is None else indicateurs
    return list(
        _avec_statut_courant(indicateurs)
        .values(
            thematique_slug=F("impact__projet__thematiques_fiche__thematique__slug"),
            thematique_libelle=F("impact__projet__thematiques_fiche__thematique__libelle"),
        )
        .annotate(**_comptes_par_statut())
        .order_by("thematique_libelle")
    )


def indicateurs_a_risque(indicateurs: QuerySet[Indicateur] | None = None) -> QuerySet[Indicateur]:
    """Indicators late or to watch at their latest evaluation, most serious first."""
    indicateurs = Indicateur.objects.all() if indicateurs is None else indicateurs
    return (
        _avec_statut_courant(indicateurs)
        .filter(statut_courant__in=STATUTS_A_RISQUE)
        .select_related("impact__projet__region")
        .prefetch_related(_derniere_evaluation())
        .order_by("-statut_courant", "impact__projet__ordre", "pk")  # descending: "en_retard" first
    )


def derniere_date_evaluation() -> datetime.date | None:
    return Evaluation.objects.order_by("-date").values_list("date", flat=True).first()


# --- Measurements ---------------------------------------------------------------


def mesure_list_visible_to(user) -> QuerySet[Mesure]:
    """Measurements the user may read.

    Officers and directors read all; a partner reads every measurement of the
    projects of their organisation and the validated ones elsewhere; anyone
    else reads the validated ones only (they are public, like the targets).
    """
    mesures = Mesure.objects.select_related("indicateur", "auteur__profil")
    role = role_of(user)
    if role in (Profil.Role.CHARGE, Profil.Role.DIRECTEUR):
        return mesures
    if role == Profil.Role.PARTENAIRE:
        return mesures.filter(Q(statut=Mesure.Statut.VALIDEE) | Q(indicateur__impact__projet__in=projets_ids_of(user)))
    return mesures.filter(statut=Mesure.Statut.VALIDEE)


def auteurs_par_id(ids) -> dict:
    """The accounts with these ids, with their profile (what `auteur_pour` reads), by id."""
    return get_user_model().objects.select_related("profil").in_bulk({pk for pk in ids if pk is not None})


def mesures_of_projets(projets) -> QuerySet[Mesure]:
    """Every measurement of these projects (ids or a queryset), most recently submitted first, with its period."""
    return (
        Mesure.objects.filter(indicateur__impact__projet__in=projets)
        .select_related("indicateur__impact__projet", "periode")
        .order_by("-soumise_le", "-pk")
    )


def indicateurs_of_projets(projets) -> QuerySet[Indicateur]:
    """The indicators of these projects (ids or a queryset) with their latest evaluation, in the fiches' order."""
    return indicateur_list().filter(impact__projet__in=projets).order_by("impact__projet__ordre", "impact__ordre", "pk")


def mesures_a_valider() -> QuerySet[Mesure]:
    """The officers' queue: submitted measurements, oldest first, with what a decision needs to show.

    Each row carries, in the same query, the indicator's previous validated value before its
    date (`valeur_precedente`, `date_precedente`) and its first validated value up to that date
    (`valeur_premiere`, `date_premiere`: the trajectory's origin when the fiche gives none).
    """
    validees = Mesure.objects.validated().filter(indicateur=OuterRef("indicateur"))
    precedente = validees.filter(date__lt=OuterRef("date")).order_by("-date", "-pk")
    premiere = validees.filter(date__lte=OuterRef("date")).order_by("date", "pk")
    return (
        Mesure.objects.filter(statut=Mesure.Statut.SOUMISE)
        .select_related("indicateur__impact__projet__region", "periode", "auteur__profil__organisation")
        .annotate(
            valeur_precedente=Subquery(precedente.values("valeur")[:1]),
            date_precedente=Subquery(precedente.values("date")[:1]),
            valeur_premiere=Subquery(premiere.values("valeur")[:1]),
            date_premiere=Subquery(premiere.values("date")[:1]),
        )
        .order_by("soumise_le", "pk")
    )


def mesures_par_statut() -> dict[str, int]:
    """How many measurements are in each status (one query): the officers' home counts."""
    return Mesure.objects.aggregate(**{statut: Count("pk", filter=Q(statut=statut)) for statut in Mesure.Statut.values})


def _pourcentage_de(ecart: Decimal, base: Decimal | None) -> Decimal | None:
    """`ecart` as a % of `base`, two decimals; None where the base is missing or zero."""
    if not base:
        return None
    return (ecart * 100 / abs(base)).quantize(regles.DEUX_DECIMALES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LigneValidation:
    """A submitted measurement with what an officer judges it against."""

    mesure: Mesure
    precedente: regles.Releve | None
    # Where the trajectory stands on the measurement's own date; None without an origin.
    attendue: Decimal | None

    @property
    def variation(self) -> Decimal | None:
        return None if self.precedente is None else self.mesure.valeur - self.precedente.valeur

    @property
    def variation_pourcentage(self) -> Decimal | None:
        variation = self.variation
        return None if variation is None else _pourcentage_de(variation, self.precedente.valeur)

    @property
    def ecart_attendu(self) -> Decimal | None:
        return None if self.attendue is None else self.mesure.valeur - self.attendue

    @property
    def ecart_attendu_pourcentage(self) -> Decimal | None:
        ecart = self.ecart_attendu
        return None if ecart is None else _pourcentage_de(ecart, self.attendue)


def valeur_attendue(mesure: Mesure) -> Decimal | None:
    """The value expected on the trajectory at the measurement's date, by the evaluation's own rules.

    The measurement is taken as the latest value: the origin is the fiche's baseline, else the
    first validated value before it (as it would be once this one is validated).
    """
    indicateur = mesure.indicateur
    releve = regles.Releve(mesure.valeur, mesure.date)
    premiere = getattr(mesure, "valeur_premiere", None)
    return regles.evaluer(
        sens=indicateur.sens,
        valeur_reference=indicateur.valeur_reference,
        date_reference=indicateur.date_reference,
        valeur_cible=indicateur.valeur_cible,
        echeance=indicateur.echeance,
        jour=mesure.date,
        derniere=releve,
        premiere=releve if premiere is None else regles.Releve(premiere, mesure.date_premiere),
    ).valeur_attendue


def lignes_a_valider() -> list[LigneValidation]:
    """The queue with each measurement's previous validated value and expected value (one query)."""
    lignes = []
    for mesure in mesures_a_valider():
        precedente = None
        if mesure.valeur_precedente is not None:
            precedente = regles.Releve(mesure.valeur_precedente, mesure.date_precedente)
        lignes.append(LigneValidation(mesure=mesure, precedente=precedente, attendue=valeur_attendue(mesure)))
    return lignes


# --- Reporting periods ------------------------------------------------------------


def _mesure_retenue(champ: str) -> Subquery:
    """A field of the period's kept measurement, the one its state reads (PeriodeQuerySet.with_etat)."""
    retenue = (
        Mesure.objects.filter(periode=OuterRef("pk"))
        .exclude(statut=Mesure.Statut.REJETEE)
        .order_by("-date", "-pk")
        .values(champ)[:1]
    )
    return Subquery(retenue)


def periode_list(*, jour: datetime.date, projets=None) -> QuerySet[Periode]:
    """Reporting periods with their state on `jour` (`etat`), indicator and project, by due date.

    Each period also carries its kept measurement's `mesure_uid` and the officer's
    `mesure_commentaire` (what to correct when the period is « à revoir »).
    `projets`: ids (or a queryset) of the projects to keep; every project when None.
    """
    periodes = (
        Periode.objects.with_etat(jour)
        .annotate(mesure_uid=_mesure_retenue("uid"), mesure_commentaire=_mesure_retenue("commentaire"))
        .select_related("indicateur__impact__projet__region")
    )
    if projets is not None:
        periodes = periodes.in_projets(projets)
    return periodes.order_by("date_limite", "indicateur__impact__projet__ordre", "indicateur_id")


def periodes_dues(*, jour: datetime.date, projets=None) -> QuerySet[Periode]:
    """What the partners owe on `jour`: periods due, overdue or sent back for correction, oldest due first."""
    return periode_list(jour=jour, projets=projets).filter(etat__in=ETATS_DUS)


def periode_list_visible_to(user, *, jour: datetime.date) -> QuerySet[Periode]:
    """Periods the user may read: officers and directors all, a partner those of their organisation's projects."""
    role = role_of(user)
    if role in (Profil.Role.CHARGE, Profil.Role.DIRECTEUR):
        return periode_list(jour=jour)
    if role == Profil.Role.PARTENAIRE:
        return periode_list(jour=jour, projets=projets_ids_of(user))
    return Periode.objects.none()


def periodes_a_declarer(*, jour: datetime.date, projets=None) -> QuerySet[Periode]:
    """The due periods (periodes_dues) with the indicator's latest validated value and its date, for a spreadsheet.

    `precedente_valeur`, `precedente_date`: null when no value of the indicator was validated yet;
    `motif_renvoi`: what the officer asked to correct, for a period sent back (null otherwise).
    """
    derniere = Mesure.objects.validated().filter(indicateur=OuterRef("indicateur_id")).order_by("-date", "-pk")
    renvoyee = Mesure.objects.filter(periode=OuterRef("pk"), statut=Mesure.Statut.A_REVOIR).order_by("-date", "-pk")
    return periodes_dues(jour=jour, projets=projets).annotate(
        precedente_valeur=Subquery(derniere.values("valeur")[:1]),
        precedente_date=Subquery(derniere.values("date")[:1]),
        motif_renvoi=Subquery(renvoyee.values("commentaire")[:1]),
    )


def periodes_en_retard(*, jour: datetime.date, projets=None) -> QuerySet[Periode]:
    """Reports overdue on `jour`: the period is over, its due date passed, and no value is kept for it."""
    return periode_list(jour=jour, projets=projets).filter(etat=EtatPeriode.EN_RETARD)


def retards_par_projet(*, jour: datetime.date, projets=None) -> list[dict]:
    """Overdue reports by project (one grouped query): slug, title, region, count and oldest due date."""
    periodes = Periode.objects.with_etat(jour).filter(etat=EtatPeriode.EN_RETARD)
    if projets is not None:
        periodes = periodes.in_projets(projets)
    return list(
        periodes.values(
            projet_slug=F("indicateur__impact__projet__slug"),
            projet_titre=F("indicateur__impact__projet__titre"),
            region_nom=F("indicateur__impact__projet__region__nom"),
        )
        .annotate(nb_en_retard=Count("pk"), plus_ancienne=Min("date_limite"))
        .order_by("-nb_en_retard", "projet_titre")
    )


# --- Digests ----------------------------------------------------------------------


def changements_du_jour(*, date: datetime.date) -> list[ChangementStatut]:
    """Status changes of an evaluation date, with their indicator, project and region."""
    return list(
        ChangementStatut.objects.filter(date=date)
        .select_related("indicateur__impact__projet__region")
        .order_by("indicateur__impact__projet__region__nom", "indicateur__impact__projet__ordre", "indicateur_id")
    )


def directeurs_regionaux() -> QuerySet:
    """Active regional directors with the regions they follow."""
    return (
        get_user_model()
        .objects.filter(is_active=True, profil__role=Profil.Role.DIRECTEUR)
        .prefetch_related("profil__regions")
        .select_related("profil")
        .order_by("pk")
    )


def indicateur_periodes(*, indicateur: Indicateur, jour: datetime.date) -> QuerySet[Periode]:
    """An indicator's reporting periods in order, with their state on `jour` and the value kept for each (one query).

    `valeur_mesure`: the value of the measure that gives the period its state (the latest not rejected),
    validated or not; the page decides who may read a value not yet validated.
    """
    retenue = (
        Mesure.objects.filter(periode=OuterRef("pk")).exclude(statut=Mesure.Statut.REJETEE).order_by("-date", "-pk")
    )
    return (
        Periode.objects.with_etat(jour)
        .filter(indicateur=indicateur)
        .annotate(valeur_mesure=Subquery(retenue.values("valeur")[:1]))
        .order_by("debut")
    )
