"""Reporting periods of an indicator: pure date arithmetic, shared by the services and migration 0006.

An indicator is reported once a year by default, or every half-year or quarter. Its
periods are the calendar ones from the start of the follow-up (settings.INDICATEURS_DEBUT_SUIVI,
the first full year of the programme) to the one holding its deadline; each is due a
grace delay after it ends (settings.INDICATEURS_DELAI_DECLARATION_JOURS).
"""

import datetime
from dataclasses import dataclass

ANNUELLE, SEMESTRIELLE, TRIMESTRIELLE = "annuelle", "semestrielle", "trimestrielle"
MOIS_PAR_PERIODE = {ANNUELLE: 12, SEMESTRIELLE: 6, TRIMESTRIELLE: 3}


@dataclass(frozen=True)
class Bornes:
    debut: datetime.date
    fin: datetime.date
    date_limite: datetime.date

    @property
    def cle(self) -> tuple[datetime.date, datetime.date]:
        return self.debut, self.fin


def _fin_de_periode(debut: datetime.date, mois: int) -> datetime.date:
    annee, mois_suivant = divmod(debut.month - 1 + mois, 12)
    return datetime.date(debut.year + annee, mois_suivant + 1, 1) - datetime.timedelta(days=1)


def debut_de_periode(jour: datetime.date, frequence: str) -> datetime.date:
    """The first day of the period of `frequence` holding `jour`."""
    mois = MOIS_PAR_PERIODE[frequence]
    return datetime.date(jour.year, (jour.month - 1) // mois * mois + 1, 1)


def bornes(*, frequence: str, debut_suivi: datetime.date, echeance: datetime.date, delai_jours: int) -> list[Bornes]:
    """The periods from the one holding `debut_suivi` to the one holding `echeance`, in order."""
    mois = MOIS_PAR_PERIODE[frequence]
    debut = debut_de_periode(debut_suivi, frequence)
    periodes = []
    while debut <= echeance:
        fin = _fin_de_periode(debut, mois)
        periodes.append(Bornes(debut=debut, fin=fin, date_limite=fin + datetime.timedelta(days=delai_jours)))
        debut = fin + datetime.timedelta(days=1)
    return periodes


def libelle(debut: datetime.date, fin: datetime.date) -> str:
    """« 2025 », « 1er semestre 2025 », « 3e trimestre 2025 », or the dates for any other span."""
    if debut.year != fin.year or debut.day != 1:
        return f"du {debut:%d/%m/%Y} au {fin:%d/%m/%Y}"
    mois = fin.month - debut.month + 1
    rang = (debut.month - 1) // mois + 1 if mois in (3, 6, 12) else 0
    if mois == 12:
        return str(debut.year)
    if mois == 6:
        return f"{'1er' if rang == 1 else '2e'} semestre {debut.year}"
    if mois == 3:
        return f"{'1er' if rang == 1 else f'{rang}e'} trimestre {debut.year}"
    return f"du {debut:%d/%m/%Y} au {fin:%d/%m/%Y}"
