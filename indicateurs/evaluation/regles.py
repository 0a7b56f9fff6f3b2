"""How an indicator is evaluated at a date: pure functions on Decimals, no database.

On PostgreSQL the same rules run inside the database, one statement per range of
indicators (sql.EVALUATION, reading the constants below);
tests/indicateurs/evaluation/test_evaluation_en_base.py checks that both write the same rows.

The trajectory goes in a straight line from an origin (value, date) to the
target (valeur_cible at echeance). The origin is the fiche's baseline, dated
`date_reference` or, when the fiche gives no date, the programme's start
(DEBUT_PROGRAMME, the day the 24 laureates were named). When the fiche gives
no baseline value at all, the first validated measurement is taken as the
origin ("référence constatée") as soon as a later one exists: two dated values
are the least that says whether the indicator moves as it should.

Only the latest validated measurement up to the evaluation date counts. It is
judged against where the trajectory stood *on its own date*, so that a value
is not called late merely because the next one has not been reported yet; a
value older than FRAICHEUR_MAX is flagged instead (see rule 5).

Statuses, in the order they are tried:

1. non renseigné — no validated measurement up to the date.
2. atteint — the latest value meets the target: at least the target for a
   "hausse", at most for a "baisse", within TOLERANCE_NIVEAU of the distance
   (of the target when there is no origin) for a level to "atteindre".
3. en retard — the deadline has passed on the evaluation date and the target
   is not met; or the origin already met the target and the value no longer does.
4. non renseigné — no origin (no baseline and a single measurement date):
   the value cannot be placed on a trajectory.
5. Otherwise the gap is how far the value lags behind the trajectory, as a share
   of the whole distance from origin to target (negative when ahead):
   - en bonne voie: gap ≤ TOLERANCE_BONNE_VOIE (10 %);
   - à surveiller: gap ≤ TOLERANCE_A_SURVEILLER (25 %), or "en bonne voie" on a
     value older than FRAICHEUR_MAX (a missed yearly report);
   - en retard: gap > 25 %.

Why these tolerances: most trajectories run from September 2019 to the end of
2030, about 11 years, so 10 % of the distance is roughly one year of progress,
which is the reporting cycle of the programme (one value a year), and 25 % is
two to three years behind, beyond which catching up by 2030 is unlikely
without a change of course.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

# One date for the ledger and the trajectories: the designation of the laureates.
DEBUT_PROGRAMME: datetime.date = settings.PROGRAMME_DATE_DESIGNATION
TOLERANCE_BONNE_VOIE = Decimal("0.10")
TOLERANCE_A_SURVEILLER = Decimal("0.25")
TOLERANCE_NIVEAU = Decimal("0.02")
FRAICHEUR_MAX = datetime.timedelta(days=548)  # 18 months: a yearly report plus six months' grace

# Half away from zero, as PostgreSQL's round(): the database evaluates with the same rules (sql).
QUATRE_DECIMALES = Decimal("0.0001")
DEUX_DECIMALES = Decimal("0.01")
# Progress is stored in a bounded column; a near-zero distance could otherwise overflow it.
AVANCEMENT_BORNE = Decimal("1000000")

ATTEINT = "atteint"
EN_BONNE_VOIE = "en_bonne_voie"
A_SURVEILLER = "a_surveiller"
EN_RETARD = "en_retard"
NON_RENSEIGNE = "non_renseigne"


@dataclass(frozen=True)
class Releve:
    """A validated measurement: its value and date."""

    valeur: Decimal
    date: datetime.date


@dataclass(frozen=True)
class Resultat:
    statut: str
    valeur_origine: Decimal | None = None
    date_origine: datetime.date | None = None
    reference_constatee: bool = False
    valeur_attendue: Decimal | None = None
    avancement: Decimal | None = None
    avancement_attendu: Decimal | None = None


def fraction_ecoulee(origine: datetime.date, echeance: datetime.date, jour: datetime.date) -> Decimal:
    """Share of the time from origin to deadline elapsed on `jour`, between 0 and 1."""
    total = (echeance - origine).days
    ecoule = (jour - origine).days
    return min(max(Decimal(ecoule) / Decimal(total), Decimal(0)), Decimal(1))


def valeur_sur_trajectoire(
    origine: Releve, valeur_cible: Decimal, echeance: datetime.date, jour: datetime.date
) -> Decimal:
    """The expected value on `jour`: the straight line from the origin to the target, flat after the deadline."""
    fraction = fraction_ecoulee(origine.date, echeance, jour)
    valeur = origine.valeur + (valeur_cible - origine.valeur) * fraction
    return valeur.quantize(QUATRE_DECIMALES, rounding=ROUND_HALF_UP)


def cible_atteinte(sens: str, valeur: Decimal, valeur_cible: Decimal, amplitude: Decimal) -> bool:
    if sens == "hausse":
        return valeur >= valeur_cible
    if sens == "baisse":
        return valeur <= valeur_cible
    return abs(valeur - valeur_cible) <= TOLERANCE_NIVEAU * amplitude


def _origine(
    valeur_reference: Decimal | None,
    date_reference: datetime.date | None,
    echeance: datetime.date,
    premiere: Releve | None,
    derniere: Releve | None,
) -> tuple[Releve | None, bool]:
    """The trajectory's origin and whether it was taken from the first measurement."""
    if valeur_reference is not None:
        origine, constatee = Releve(valeur_reference, date_reference or DEBUT_PROGRAMME), False
    elif premiere is not None and derniere is not None and premiere.date < derniere.date:
        origine, constatee = premiere, True
    else:
        return None, False
    if origine.date >= echeance:
        return None, False
    return origine, constatee


def evaluer(
    *,
    sens: str,
    valeur_reference: Decimal | None,
    date_reference: datetime.date | None,
    valeur_cible: Decimal,
    echeance: datetime.date,
    jour: datetime.date,
    derniere: Releve | None,
    premiere: Releve | None,
) -> Resultat:
    """Evaluate one indicator on `jour` from its first and latest validated measurements up to that day."""
    origine, constatee = _origine(valeur_reference, date_reference, echeance, premiere, derniere)
    trajectoire = {}
    if origine is not None:
        trajectoire = {
            "valeur_origine": origine.valeur,
            "date_origine": origine.date,
            "reference_constatee": constatee,
            "valeur_attendue": valeur_sur_trajectoire(origine, valeur_cible, echeance, jour),
        }
    if derniere is None:
        return Resultat(statut=NON_RENSEIGNE, **trajectoire)

    distance = valeur_cible - origine.valeur if origine is not None else None
    amplitude = abs(distance) if distance else abs(valeur_cible)
    if origine is not None and distance:
        avancement = (derniere.valeur - origine.valeur) / distance
        attendu = fraction_ecoulee(origine.date, echeance, derniere.date)
        trajectoire["avancement"] = _pourcentage(avancement)
        trajectoire["avancement_attendu"] = _pourcentage(attendu)

    if cible_atteinte(sens, derniere.valeur, valeur_cible, amplitude):
        return Resultat(statut=ATTEINT, **trajectoire)
    if jour > echeance:
        return Resultat(statut=EN_RETARD, **trajectoire)
    if origine is None:
        return Resultat(statut=NON_RENSEIGNE, **trajectoire)
    if not distance or cible_atteinte(sens, origine.valeur, valeur_cible, amplitude):
        return Resultat(statut=EN_RETARD, **trajectoire)

    ecart = attendu - avancement
    if ecart <= TOLERANCE_BONNE_VOIE:
        statut = A_SURVEILLER if jour - derniere.date > FRAICHEUR_MAX else EN_BONNE_VOIE
    elif ecart <= TOLERANCE_A_SURVEILLER:
        statut = A_SURVEILLER
    else:
        statut = EN_RETARD
    return Resultat(statut=statut, **trajectoire)


def _pourcentage(fraction: Decimal) -> Decimal:
    pourcentage = (fraction * 100).quantize(DEUX_DECIMALES, rounding=ROUND_HALF_UP)
    return min(max(pourcentage, -AVANCEMENT_BORNE), AVANCEMENT_BORNE)
