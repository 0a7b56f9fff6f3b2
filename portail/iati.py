"""The programme in the IATI activity standard, version 2.03: `iati-activities.xml`, one activity per project.

What each element says, and where it comes from:

- reporting-org: the publisher named in settings (IATI_ORGANISATION_*), also the funding
  participating-org and the provider of every transaction. Activity identifiers are
  IATI_IDENTIFIANT_PREFIXE, a hyphen and the project's slug.
- participating-org: the lead and the partners that implement the project (role 4), the
  partners recorded as co-funders (role 1). An organisation's `ref` is its SIREN under
  org-id.guide's French list, FR-RCS; without a SIREN nor a SIRET recorded it has none:
  nothing is inferred from a name.
- activity-status and activity-date: the project's life cycle (Projet.statut, date_debut,
  date_fin); see `_dates` for the date a project without any gets.
- budget: per calendar year, the tranches planned in the subsidy conventions' schedules
  (financements.selectors.prevu_verse_par_projet, the same figure as prevu_verse_par_annee).
- transaction: the ledger, entry by entry. A commitment is type 2 (outgoing commitment),
  its release a negative type 2 (IATI reports a decrease of a commitment as a negative
  commitment); a subsidy disbursement is type 3, its reversal a negative type 3; an equity
  payment is type 8 (purchase of equity), its reversal a negative type 8. Equity entries
  carry finance-type 510 (common equity), subsidies the activity's default 110 (standard grant).
- result: one per indicator of the project's 2030 impacts (type 3, impact), with its
  baseline, the target in the period of its deadline and, per calendar year, the last
  value validated by an officer; submitted and rejected values are never published.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone
from lxml import etree

from financements.models import Engagement, Enveloppe, Versement
from financements.selectors import prevu_verse_par_projet
from indicateurs.models import UNITE_PART, Indicateur, Mesure
from laureats.models import Etablissement, Impact, Objectif, Organisation, Partenariat, Projet

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUE = "fr"
DEVISE = "EUR"
# org-id.guide's list for the SIREN/SIRET numbers of the Sirene register (FR-INSEE is deprecated in its favour).
LISTE_SIREN = "FR-RCS"

# Characters XML 1.0 cannot carry (control characters but tab and line breaks): a text pasted with one
# would make lxml refuse the whole file.
HORS_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# IATI ActivityStatus. « Clôturé » is the programme's final closure, after the last payment and report: Closed.
STATUTS = {
    Projet.Statut.EN_CONVENTIONNEMENT: "1",  # Pipeline/identification
    Projet.Statut.EN_COURS: "2",  # Implementation
    Projet.Statut.CLOTURE: "4",  # Closed
    Projet.Statut.ABANDONNE: "5",  # Cancelled
}
# IATI ActivityDateType.
DEBUT_PREVU, DEBUT_EFFECTIF, FIN_PREVUE, FIN_EFFECTIVE = "1", "2", "3", "4"
# IATI OrganisationType, from the nature of an organisation; « autre » says nothing and gets no type.
TYPES_ORGANISATION = {
    Organisation.Nature.COLLECTIVITE: "11",  # Local Government
    Organisation.Nature.ETABLISSEMENT_PUBLIC: "15",  # Other Public Sector
    Organisation.Nature.ENTREPRISE: "70",  # Private Sector
    Organisation.Nature.ASSOCIATION: "22",  # National NGO
}
# IATI OrganisationRole.
FINANCEUR, MAITRE_D_OUVRAGE = "1", "4"
# IATI TransactionType.
ENGAGEMENT, DECAISSEMENT, PRISE_DE_PARTICIPATION = "2", "3", "8"
# IATI FinanceType.
SUBVENTION, FONDS_PROPRES = "110", "510"
# IATI ResultType (impacts at 2030) and IndicatorMeasure.
RESULTAT_IMPACT = "3"
MESURE_UNITE, MESURE_POURCENTAGE = "1", "2"
# IATI BudgetType and BudgetStatus: the schedules of signed conventions, as they stand.
BUDGET_ORIGINAL, BUDGET_ENGAGE = "1", "2"


def iati_projets() -> QuerySet[Projet]:
    """Projects with everything their activity shows, in a number of queries that does not depend on the rows."""
    return (
        Projet.objects.select_related("chef_de_file")
        .prefetch_related(
            Prefetch("objectifs", queryset=Objectif.objects.order_by("ordre")),
            Prefetch("partenariats", queryset=Partenariat.objects.select_related("organisation").order_by("pk")),
            Prefetch(
                "engagements",
                queryset=Engagement.objects.select_related("enveloppe", "convention__beneficiaire", "avenant")
                .order_by("date", "pk")
                .prefetch_related(
                    Prefetch(
                        "versements",
                        queryset=Versement.objects.select_related("tranche").order_by("date", "pk"),
                    )
                ),
            ),
            Prefetch(
                "impacts",
                queryset=Impact.objects.order_by("ordre").prefetch_related(
                    Prefetch(
                        "indicateurs",
                        queryset=Indicateur.objects.order_by("pk").prefetch_related(
                            Prefetch("mesures", queryset=valeurs_annuelles(), to_attr="valeurs_annuelles")
                        ),
                    )
                ),
            ),
        )
        .order_by("ordre", "titre")
    )


def iati_activities(*, jour: datetime.date | None = None) -> bytes:
    """The IATI 2.03 activity file of every project, as UTF-8 XML; `jour` (today) tells actual dates from planned."""
    jour = jour or timezone.localdate()
    racine = etree.Element(
        "iati-activities", {"version": VERSION, "generated-datetime": timezone.now().isoformat(timespec="seconds")}
    )
    # The SIRET of each organisation that has no SIREN recorded: its first nine digits are the SIREN.
    sirets = dict(
        Etablissement.objects.filter(organisation__siren="").order_by().values_list("organisation_id", "siret")
    )
    publieur = _Publieur()
    budgets = prevu_verse_par_projet()
    for projet in iati_projets():
        racine.append(
            _activite(projet, publieur=publieur, sirets=sirets, jour=jour, budgets=budgets.get(projet.pk, []))
        )
    return etree.tostring(racine, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _Publieur:
    """The reporting organisation, read from settings once per file."""

    def __init__(self) -> None:
        self.ref = settings.IATI_ORGANISATION_REF
        self.nom = settings.IATI_ORGANISATION_NOM
        self.type = settings.IATI_ORGANISATION_TYPE
        self.prefixe = settings.IATI_IDENTIFIANT_PREFIXE


# --- Elements -----------------------------------------------------------------------------------------------------


def _sous(parent: etree._Element, tag: str, **attributs: str | None) -> etree._Element:
    """A child element; attributes given as None are left out (names: `_` for `-`)."""
    return etree.SubElement(
        parent,
        tag,
        {nom.replace("_", "-"): HORS_XML.sub("", valeur) for nom, valeur in attributs.items() if valeur is not None},
    )


def _texte(parent: etree._Element, tag: str, texte: str, **attributs: str | None) -> etree._Element:
    """An element holding one French narrative."""
    element = _sous(parent, tag, **attributs)
    narrative = etree.SubElement(element, "narrative", {XML_LANG: LANGUE})
    narrative.text = HORS_XML.sub("", texte)
    return element


def _montant(parent: etree._Element, tag: str, montant: Decimal, date: datetime.date) -> None:
    valeur = _sous(parent, tag, currency=DEVISE, value_date=date.isoformat())
    valeur.text = f"{montant:.2f}"


def _nombre(valeur: Decimal) -> str:
    """12.5000 → « 12.5 »; 100.0000 → « 100 » (never « 1E+2 »)."""
    return f"{valeur.normalize():f}"


def _ref(organisation: Organisation, sirets: dict[int, str]) -> str | None:
    siren = organisation.siren or sirets.get(organisation.pk, "")[:9]
    return f"{LISTE_SIREN}-{siren}" if siren else None


def _organisation(parent, tag: str, organisation: Organisation, sirets: dict[int, str], **attributs) -> None:
    _texte(
        parent,
        tag,
        organisation.nom,
        ref=_ref(organisation, sirets),
        type=TYPES_ORGANISATION.get(organisation.nature),
        **attributs,
    )


def _publieur(parent, tag: str, publieur: _Publieur, **attributs) -> None:
    _texte(parent, tag, publieur.nom, ref=publieur.ref, type=publieur.type, **attributs)


# --- Activity -----------------------------------------------------------------------------------------------------


def _activite(
    projet: Projet, *, publieur: _Publieur, sirets: dict[int, str], jour: datetime.date, budgets: list
) -> etree._Element:
    # The sequence's order is the XSD's.
    activite = etree.Element("iati-activity", {XML_LANG: LANGUE, "default-currency": DEVISE})
    _sous(activite, "iati-identifier").text = f"{publieur.prefixe}-{projet.slug}"
    _publieur(activite, "reporting-org", publieur)
    _texte(activite, "title", projet.titre)
    _texte(activite, "description", projet.ambition, type="1")  # General
    objectifs = [objectif.texte for objectif in projet.objectifs.all()]
    if objectifs:
        _texte(activite, "description", "\n".join(objectifs), type="2")  # Objectives
    _participants(activite, projet, publieur=publieur, sirets=sirets)
    _sous(activite, "activity-status", code=STATUTS[projet.statut])
    for type_date, date in _dates(projet, jour=jour):
        _sous(activite, "activity-date", type=type_date, iso_date=date.isoformat())
    _sous(activite, "recipient-country", code="FR")
    _sous(activite, "default-finance-type", code=SUBVENTION)
    for annee in budgets:
        if annee.prevu > 0:
            _budget(activite, annee.annee, annee.prevu)
    for transaction in _transactions(projet):
        _transaction(activite, *transaction, publieur=publieur, sirets=sirets)
    for impact in projet.impacts.all():
        for indicateur in impact.indicateurs.all():
            _resultat(activite, impact, indicateur)
    return activite


def _participants(activite, projet: Projet, *, publieur: _Publieur, sirets: dict[int, str]) -> None:
    _publieur(activite, "participating-org", publieur, role=FINANCEUR)
    vus = {projet.chef_de_file_id}
    _organisation(activite, "participating-org", projet.chef_de_file, sirets, role=MAITRE_D_OUVRAGE)
    for partenariat in projet.partenariats.all():
        if partenariat.organisation_id in vus:
            continue
        vus.add(partenariat.organisation_id)
        role = FINANCEUR if partenariat.role == Partenariat.Role.FINANCEUR else MAITRE_D_OUVRAGE
        _organisation(activite, "participating-org", partenariat.organisation, sirets, role=role)


def _dates(projet: Projet, *, jour: datetime.date) -> list[tuple[str, datetime.date]]:
    """The project's start and end: actual once passed and the project under way (or over), else planned.

    IATI requires a start date. A project whose start is not recorded starts with its
    first commitment (a convention's signature, an equity decision); before any, it is
    planned from the laureates' designation (13 September 2019), never an actual date
    the portal does not know. A project still « en conventionnement » has not started:
    its dates stay planned, as IATI's pipeline status requires.
    """
    demarre = projet.statut != Projet.Statut.EN_CONVENTIONNEMENT
    termine = projet.statut in (Projet.Statut.CLOTURE, Projet.Statut.ABANDONNE)
    premier = min((e.date for e in projet.engagements.all() if e.nature == Engagement.Nature.ENGAGEMENT), default=None)
    debut = projet.date_debut or premier
    if debut is None:
        dates = [(DEBUT_PREVU, settings.PROGRAMME_DATE_DESIGNATION)]
    else:
        dates = [(DEBUT_EFFECTIF if demarre and debut <= jour else DEBUT_PREVU, debut)]
    if projet.date_fin:
        dates.append((FIN_EFFECTIVE if termine and projet.date_fin <= jour else FIN_PREVUE, projet.date_fin))
    return dates


def _budget(activite, annee: int, montant: Decimal) -> None:
    budget = _sous(activite, "budget", type=BUDGET_ORIGINAL, status=BUDGET_ENGAGE)
    debut = datetime.date(annee, 1, 1)
    _sous(budget, "period-start", iso_date=debut.isoformat())
    _sous(budget, "period-end", iso_date=datetime.date(annee, 12, 31).isoformat())
    _montant(budget, "value", montant, debut)


# --- Transactions -------------------------------------------------------------------------------------------------


def _transactions(projet: Projet) -> list[tuple]:
    """(type, date, signed amount, description, beneficiary, finance type, reference) per ledger entry, by date."""
    lignes = []
    for engagement in projet.engagements.all():
        fonds_propres = engagement.enveloppe.code == Enveloppe.Code.INVESTISSEMENT
        finance = FONDS_PROPRES if fonds_propres else None
        convention = engagement.convention
        beneficiaire = convention.beneficiaire if convention else None
        lignes.append(
            (
                ENGAGEMENT,
                engagement.date,
                engagement.montant_signe,
                _libelle_engagement(engagement),
                beneficiaire,
                finance,
                engagement.reference,
                engagement.pk,
            )
        )
        for versement in engagement.versements.all():
            signe = versement.montant if versement.nature == Versement.Nature.VERSEMENT else -versement.montant
            lignes.append(
                (
                    PRISE_DE_PARTICIPATION if fonds_propres else DECAISSEMENT,
                    versement.date,
                    signe,
                    _libelle_versement(versement, engagement),
                    beneficiaire,
                    finance,
                    versement.reference,
                    versement.pk,
                )
            )
    # Commitments before payments on the same day, each kind in the order it was written.
    lignes.sort(key=lambda ligne: (ligne[1], ligne[0] != ENGAGEMENT, ligne[7]))
    return [ligne[:7] for ligne in lignes]


def _libelle_engagement(engagement: Engagement) -> str:
    convention = engagement.convention
    desengagement = engagement.nature == Engagement.Nature.DESENGAGEMENT
    if engagement.avenant_id:
        return f"Avenant n° {engagement.avenant.numero} à la convention {convention.reference}"
    if convention is not None:
        return f"Convention {convention.reference} : {convention.objet}"
    if desengagement:
        return f"Désengagement d'une prise de participation ({engagement.reference})"
    return f"Engagement d'une prise de participation ({engagement.reference})"


def _libelle_versement(versement: Versement, engagement: Engagement) -> str:
    annulation = "Annulation d'un versement : " if versement.nature == Versement.Nature.ANNULATION else ""
    if versement.tranche_id:
        return f"{annulation}tranche n° {versement.tranche.numero} de la convention {engagement.convention.reference}"
    return f"{annulation}prise de participation ({engagement.reference})"


def _transaction(
    activite, type_transaction, date, montant, description, beneficiaire, finance, reference, *, publieur, sirets
) -> None:
    transaction = _sous(activite, "transaction", ref=reference)
    _sous(transaction, "transaction-type", code=type_transaction)
    _sous(transaction, "transaction-date", iso_date=date.isoformat())
    _montant(transaction, "value", montant, date)
    _texte(transaction, "description", description[:1].upper() + description[1:])
    _publieur(transaction, "provider-org", publieur)
    if beneficiaire is not None:
        _organisation(transaction, "receiver-org", beneficiaire, sirets)
    if finance is not None:
        _sous(transaction, "finance-type", code=finance)


# --- Results ------------------------------------------------------------------------------------------------------


def valeurs_annuelles() -> QuerySet[Mesure]:
    """Per indicator and calendar year, its last validated measurement (the latest date), by year."""
    annee = ExtractYear("date")
    return (
        Mesure.objects.validated()
        .annotate(
            annee=annee,
            rang=Window(RowNumber(), partition_by=[F("indicateur_id"), annee], order_by=[F("date").desc()]),
        )
        .filter(rang=1)
        .order_by("date")
    )


def _resultat(activite, impact: Impact, indicateur: Indicateur) -> None:
    resultat = _sous(activite, "result", type=RESULTAT_IMPACT)
    _texte(resultat, "title", indicateur.libelle)
    _texte(resultat, "description", impact.texte)
    pourcentage = indicateur.mode == Indicateur.Mode.RELATIF or indicateur.unite.strip() == UNITE_PART
    ascendant = {Indicateur.Sens.HAUSSE: "true", Indicateur.Sens.BAISSE: "false"}.get(indicateur.sens)
    element = _sous(
        resultat, "indicator", measure=MESURE_POURCENTAGE if pourcentage else MESURE_UNITE, ascending=ascendant
    )
    unite = "% d'évolution depuis la référence" if indicateur.mode == Indicateur.Mode.RELATIF else indicateur.unite
    _texte(element, "title", f"{indicateur.libelle} ({unite})")
    if indicateur.extrait:
        _texte(element, "description", indicateur.extrait)
    _reference(element, indicateur)
    mesures = {mesure.annee: mesure for mesure in indicateur.valeurs_annuelles}
    annee_cible = indicateur.echeance.year
    for annee in sorted({*mesures, annee_cible}):
        periode = _sous(element, "period")
        _sous(periode, "period-start", iso_date=datetime.date(annee, 1, 1).isoformat())
        fin = indicateur.echeance if annee == annee_cible else datetime.date(annee, 12, 31)
        _sous(periode, "period-end", iso_date=fin.isoformat())
        if annee == annee_cible:
            _sous(periode, "target", value=_nombre(indicateur.valeur_cible))
        mesure = mesures.get(annee)
        if mesure is not None:
            actuel = _sous(periode, "actual", value=_nombre(mesure.valeur))
            _texte(actuel, "comment", f"Valeur validée du {mesure.date:%d/%m/%Y} ; source : {mesure.source}")


def _reference(element, indicateur: Indicateur) -> None:
    """The indicator's baseline. A fiche that gives no date has its trajectory start at the designation."""
    date = indicateur.date_reference
    valeur = None if indicateur.valeur_reference is None else _nombre(indicateur.valeur_reference)
    reference = _sous(
        element,
        "baseline",
        iso_date=date.isoformat() if date else None,
        year=str((date or settings.PROGRAMME_DATE_DESIGNATION).year),
        value=valeur,
    )
    notes = []
    if valeur is None:
        notes.append(
            "La fiche ne donne pas de valeur de référence : la trajectoire part de la première valeur validée."
        )
    if date is None:
        notes.append(
            "La fiche ne date pas la référence : la trajectoire part de la désignation des lauréats, "
            f"le {settings.PROGRAMME_DATE_DESIGNATION:%d/%m/%Y}."
        )
    if notes:
        _texte(reference, "comment", " ".join(notes))
