"""On PostgreSQL the evaluation runs inside the database; it must write exactly what regles.evaluer decides.

services.evaluation_run evaluates in SQL on PostgreSQL and with indicateurs.evaluation.regles
elsewhere (SQLite, the embedded default). Both run here, on PostgreSQL, over a grid
of indicators (every direction, with and without a baseline and its date, a
deadline passed or not) and measurement histories (none, submitted only, one
value, two values, a stale value, values on either side of every tolerance, a
tie on the date), on three dates in a row so that status changes are compared
too. Every column of every evaluation and change must be the same.
"""

import datetime
import itertools
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from indicateurs import services
from indicateurs.evaluation import moteur
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure
from tests.factories import ProjetFactory
from tests.indicateurs.factories import IndicateurFactory, MesureFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the in-database evaluation is PostgreSQL's"),
]

DATES = [datetime.date(2020, 1, 1), datetime.date(2025, 6, 30), datetime.date(2031, 6, 30)]
CIBLES = {Indicateur.Sens.HAUSSE: "200", Indicateur.Sens.BAISSE: "50", Indicateur.Sens.ATTEINDRE: "150"}
REFERENCES = [(None, None), ("100", None), ("100", datetime.date(2018, 3, 1))]
ECHEANCES = [datetime.date(2030, 12, 31), datetime.date(2024, 12, 31)]
# Where the values lie on the way from 100 to the target: behind, around each tolerance, reached, beyond.
PARTS = ["0", "0.13", "0.3", "0.37", "0.5", "0.98", "1", "1.2"]


def _valeur(sens: str, part: str) -> Decimal:
    return Decimal("100") + (Decimal(CIBLES[sens]) - Decimal("100")) * Decimal(part)


def _historiques(sens: str) -> list[list[tuple]]:
    """Measurement histories: (date, value, validated)."""
    historiques = [[], [(datetime.date(2023, 1, 1), _valeur(sens, "0.5"), False)]]
    for part in PARTS:
        historiques.append([(datetime.date(2024, 6, 30), _valeur(sens, part), True)])
        historiques.append(
            [
                (datetime.date(2021, 1, 1), _valeur(sens, "0.1"), True),
                (datetime.date(2025, 3, 1), _valeur(sens, part), True),
            ]
        )
    historiques.append([(datetime.date(2020, 6, 1), _valeur(sens, "0.05"), True)])  # stale by 2025
    return historiques


def _grille() -> int:
    impact = ProjetFactory().impacts.get()
    nombre = 0
    for sens, (reference, date_reference), echeance in itertools.product(CIBLES, REFERENCES, ECHEANCES):
        for historique in _historiques(sens):
            indicateur = IndicateurFactory(
                impact=impact, sens=sens, valeur_cible=Decimal(CIBLES[sens]), echeance=echeance,
                valeur_reference=Decimal(reference) if reference else None, date_reference=date_reference,
            )  # fmt: skip
            for date, valeur, validee in historique:
                MesureFactory(indicateur=indicateur, date=date, valeur=valeur, validee=validee)
            nombre += 1
    # A validated value and a rejected one on one date (a date holds one kept value): only
    # the validated one counts, in both.
    egalite = IndicateurFactory(impact=impact)
    plus_tot = timezone.now() - datetime.timedelta(days=3)
    jour = datetime.date(2024, 6, 30)
    MesureFactory(indicateur=egalite, date=jour, valeur=Decimal("180"), validee=True, decision_le=timezone.now())
    MesureFactory(
        indicateur=egalite, date=jour, valeur=Decimal("110"), statut=Mesure.Statut.REJETEE, decision_le=plus_tot,
        commentaire="Valeur remplacée",
    )  # fmt: skip
    return nombre + 1


def _etat() -> list:
    evaluations = Evaluation.objects.order_by("indicateur_id", "date").values_list(
        "indicateur_id", "date", "statut", "valeur_origine", "date_origine", "reference_constatee",
        "valeur_attendue", "mesure_id", "valeur_mesuree", "date_mesure", "avancement", "avancement_attendu",
    )  # fmt: skip
    changements = ChangementStatut.objects.order_by("indicateur_id", "date").values_list(
        "indicateur_id", "date", "ancien_statut", "nouveau_statut"
    )
    return [*evaluations, *changements]


def _en_python(date: datetime.date) -> moteur.RapportEvaluation:
    rapport = moteur.RapportEvaluation(date=date)
    moteur._evaluation_en_python(date, moteur.TAILLE_LOT, None, rapport)
    return rapport


def test_the_database_and_the_python_rules_write_the_same_evaluations():
    nombre = _grille()
    en_base = [services.evaluation_run(date=date, taille_lot=97) for date in DATES]
    etat_en_base = _etat()
    Evaluation.objects.all().delete()
    ChangementStatut.objects.all().delete()

    en_python = [_en_python(date) for date in DATES]

    assert _etat() == etat_en_base
    assert [(r.nb_indicateurs, r.nb_changements, r.par_statut) for r in en_base] == [
        (r.nb_indicateurs, r.nb_changements, r.par_statut) for r in en_python
    ]
    # The grid reaches every status, and the 101 indicators of the fiches are evaluated too.
    assert set(en_base[1].par_statut) == {"atteint", "en_bonne_voie", "a_surveiller", "en_retard", "non_renseigne"}
    assert en_base[1].nb_indicateurs == nombre + 101
    assert Mesure.objects.filter(statut=Mesure.Statut.VALIDEE).exists()


def test_ranges_run_side_by_side_on_their_own_connections_as_they_would_one_by_one(programme_charge, settings):
    # Committed data (a transactional test): the ranges' own connections see it, and
    # outside a transaction evaluation_run spreads the ranges over INDICATEURS_CONNEXIONS.
    _grille()
    settings.INDICATEURS_CONNEXIONS = 1
    seul = services.evaluation_run(date=DATES[1], taille_lot=50)
    etat_seul = _etat()
    Evaluation.objects.all().delete()
    ChangementStatut.objects.all().delete()

    settings.INDICATEURS_CONNEXIONS = 3
    tailles = []
    cote_a_cote = services.evaluation_run(date=DATES[1], taille_lot=50, apres_lot=tailles.append)

    assert _etat() == etat_seul
    assert (cote_a_cote.nb_indicateurs, cote_a_cote.par_statut) == (seul.nb_indicateurs, seul.par_statut)
    assert sum(tailles) == seul.nb_indicateurs and set(tailles[:-1]) == {50}


def test_two_runs_on_the_same_date_at_once_both_finish_and_agree_with_one(programme_charge, settings):
    # Beat and a manual command on the same day, after late corrections made earlier changes stale.
    _grille()
    settings.INDICATEURS_CONNEXIONS = 1
    services.evaluation_run(date=DATES[0])
    services.evaluation_run(date=DATES[1])
    Mesure.objects.filter(date=datetime.date(2024, 6, 30)).update(date=datetime.date(2025, 12, 31))
    services.evaluation_run(date=DATES[1])
    attendu = _etat()

    def relancer(_):
        try:
            return services.evaluation_run(date=DATES[1], taille_lot=40).nb_indicateurs
        finally:
            connection.close()

    for _ in range(5):
        with ThreadPoolExecutor(max_workers=2) as fils:
            assert len(set(fils.map(relancer, range(2)))) == 1
        assert _etat() == attendu
