"""Open data on the programme's subsidies in the national SCDL « subventions » format, version 2.1.1.

One definition (`publication`): one row per convention of the subsidy envelope, with every
field the schema requires, or the convention is listed « à compléter » with what it lacks;
nothing is published half-empty. The equity envelope is never published: a purchase of
equity is not a subsidy. The CSV and the JSON files hold the same rows.
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DateTimeField, F, Max, Min, QuerySet
from django.db.models.functions import Coalesce, Greatest

from financements.models import Convention, Enveloppe

# The schema, as schema.data.gouv.fr names it; tests/donnees_ouvertes/test_scdl.py checks these against the file.
SCHEMA_NOM = "subventions"
SCHEMA_TITRE = "Subventions (SCDL)"
SCHEMA_VERSION = "2.1.1"
SCHEMA_URL = "https://schema.data.gouv.fr/scdl/subventions/2.1.1/"
# The schema's fields, in its order: the CSV's header and the JSON objects' keys.
CHAMPS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
NATURES = {
    Convention.NatureAide.NUMERAIRE: "aide en numéraire",
    Convention.NatureAide.NATURE: "aide en nature",
}
CONDITIONS = {
    Convention.ConditionsVersement.UNIQUE: "unique",
    Convention.ConditionsVersement.ECHELONNE: "échelonné",
    Convention.ConditionsVersement.AUTRE: "autre",
}
# pourcentageSubvention is published between 0.01 and 1 (the schema's bounds): the convention's share in %, / 100.
POURCENTAGE_MIN = Decimal("1")


def siret_valide(siret: str) -> bool:
    """A SIRET as the SCDL's `french-siret-value` check accepts it (Validata, python-stdnum's rule): 14 digits,
    the Luhn key on the 14 and on the SIREN (first 9); La Poste's establishments (SIREN 356000000, head office
    35600000000048 aside) have no Luhn key but a sum of digits that is a multiple of 5."""
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if siret.startswith("356000000") and siret != "35600000000048":
        return sum(int(c) for c in siret) % 5 == 0
    return _luhn(siret) and _luhn(siret[:9])


def _luhn(chiffres: str) -> bool:
    total = 0
    for rang, chiffre in enumerate(reversed(chiffres)):
        valeur = int(chiffre) * (2 if rang % 2 else 1)
        total += valeur - 9 if valeur > 9 else valeur
    return total % 10 == 0


@dataclass(frozen=True)
class ACompleter:
    """A convention kept out of the files, with what it lacks, in words an officer acts on."""

    convention: Convention
    manques: tuple[str, ...]


@dataclass(frozen=True)
class Publication:
    lignes: list[dict[str, str]]  # the published rows: every field of CHAMPS, as text ("" when empty)
    a_completer: list[ACompleter]
    # The last change to a subsidy convention, its schedule, its amendments or its beneficiary (None: none yet).
    derniere_modification: datetime.datetime | None


def conventions_subvention() -> QuerySet:
    """Every convention of the subsidy envelope with what its row needs, in one query: the first and last planned
    dates of its tranches, and the last change to anything the row shows."""
    return (
        Convention.objects.filter(enveloppe__code=Enveloppe.Code.SUBVENTION)
        .select_related("projet", "beneficiaire", "etablissement")
        .annotate(
            premiere_tranche=Min("tranches__date_prevue"),
            derniere_tranche=Max("tranches__date_prevue"),
            # Coalesce: SQLite's MAX() of several values is NULL as soon as one is.
            modifiee=Greatest(
                F("modifie_le"),
                Coalesce(Max("tranches__modifie_le"), F("modifie_le")),
                Coalesce(Max("avenants__cree_le"), F("modifie_le")),
                F("beneficiaire__modifie_le"),
                Coalesce(F("etablissement__modifie_le"), F("modifie_le")),
                output_field=DateTimeField(),
            ),
        )
        .order_by("date_signature", "reference", "id")
    )


def _manques(convention: Convention) -> list[str]:
    """What the convention lacks before its row passes the schema; empty when it can be published."""
    manques = []
    if not convention.nature_aide:
        manques.append("nature de l'aide (en numéraire ou en nature)")
    if not convention.conditions_versement:
        manques.append("conditions de versement (unique, échelonné ou autre)")
    if convention.notification_ue is None:
        manques.append("notification à la Commission européenne (oui ou non)")
    if convention.pourcentage_subvention is None:
        manques.append("part du coût éligible (%)")
    elif convention.pourcentage_subvention < POURCENTAGE_MIN:
        saisi = str(convention.pourcentage_subvention).replace(".", ",")
        manques.append(
            f"part du coût éligible d'au moins 1 % ({saisi} % saisi) : le format publie une part entre 0,01 et 1"
        )
    etablissement = convention.etablissement
    if etablissement is not None and not siret_valide(etablissement.siret):
        manques.append(f"SIRET valide de l'établissement bénéficiaire ({etablissement.siret} : clé de contrôle fausse)")
    elif etablissement is None and not convention.beneficiaire.rna:
        manques.append(
            "identifiant du bénéficiaire : l'établissement (SIRET) de la convention, ou le numéro RNA de l'association"
        )
    return manques


def _montant(valeur: Decimal) -> str:
    """Euros with a dot and no thousands separator, never in exponent notation: "47800.20"."""
    return format(valeur.quantize(Decimal("0.01")), "f")


def _part(pourcentage: Decimal) -> str:
    """The share in % as the schema's decimal between 0.01 and 1: 45 % → "0.45", 100 % → "1", 12.5 % → "0.125"."""
    return format((pourcentage / 100).normalize(), "f")


def _periode(premiere: datetime.date, derniere: datetime.date) -> str:
    return premiere.isoformat() if premiere == derniere else f"{premiere.isoformat()}/{derniere.isoformat()}"


def _ligne(convention: Convention) -> dict[str, str]:
    etablissement = convention.etablissement
    return {
        "nomAttribuant": settings.SCDL_NOM_ATTRIBUANT,
        "idAttribuant": settings.SCDL_ID_ATTRIBUANT,
        "dateConvention": convention.date_signature.isoformat(),
        "referenceDecision": convention.reference,
        "nomBeneficiaire": convention.beneficiaire.nom,
        # Only the SIRET of the establishment the convention names: an organisation's other establishments
        # are other beneficiaries, so none is picked in its place.
        "idBeneficiaire": etablissement.siret if etablissement is not None else "",
        "rnaBeneficiaire": convention.beneficiaire.rna,
        "objet": convention.objet,
        "montant": _montant(convention.montant),
        "nature": NATURES[convention.nature_aide],
        "conditionsVersement": CONDITIONS[convention.conditions_versement],
        "datesPeriodeVersement": _periode(convention.premiere_tranche, convention.derniere_tranche),
        # The programme is not an aid of the Répertoire des aides aux entreprises: dispositifAide names it.
        "idRAE": "",
        "notificationUE": "oui" if convention.notification_ue else "non",
        "pourcentageSubvention": _part(convention.pourcentage_subvention),
        "dispositifAide": settings.SCDL_DISPOSITIF_AIDE,
    }


def publication() -> Publication:
    """The SCDL rows of the subsidy conventions and the conventions still to complete, from one query."""
    lignes, a_completer, derniere = [], [], None
    for convention in conventions_subvention():
        derniere = max(derniere, convention.modifiee) if derniere else convention.modifiee
        if convention.montant == 0:
            # Cut to nothing by its amendments (or taken over from a commitment released in full): no subsidy is
            # attributed any more, and it has no tranche left (tranches are positive and sum to the amount), so no
            # payment period, which the schema requires. Neither published nor to complete: nothing to publish.
            continue
        manques = _manques(convention)
        if manques:
            a_completer.append(ACompleter(convention=convention, manques=tuple(manques)))
        else:
            lignes.append(_ligne(convention))
    return Publication(lignes=lignes, a_completer=a_completer, derniere_modification=derniere)


def csv_texte(lignes: list[dict[str, str]]) -> str:
    """RFC 4180 as the SCDL asks: UTF-8 (without BOM), comma, double quotes when needed, CRLF, header of CHAMPS."""
    tampon = io.StringIO()
    writer = csv.DictWriter(tampon, fieldnames=CHAMPS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(lignes)
    return tampon.getvalue()


def json_texte(lignes: list[dict[str, str]]) -> str:
    """The same rows as a JSON array of objects keyed by field name, in the schema's order. Each value is the CSV
    cell's text (the Table Schema's own representation: "47800.20", "oui", "2017-03-14/2018-03-14"), null when
    the cell is empty: an amount reads the same in both files, with no floating-point rounding."""
    return json.dumps([{champ: ligne[champ] or None for champ in CHAMPS} for ligne in lignes], ensure_ascii=False)
