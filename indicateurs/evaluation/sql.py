"""The evaluation on PostgreSQL: the statements and the binding of their parameters, in one place.

ENTREES reads what the rules need for a range of indicators; EVALUATION reads
it, evaluates with the rules of regles.evaluer, and upserts the evaluations and
the status changes, in one statement. bench/planchers.py measures its floor
with RELEVES_VALIDES, the part every evaluation has to read.
"""

import datetime

from indicateurs.evaluation import regles
from indicateurs.models import Indicateur, Mesure, Statut

# The widest range of primary keys (bigint): bound when every indicator is meant.
PREMIER_PK, DERNIER_PK = 1, 2**63 - 1

# Evaluation columns written by a run, the conflict key first.
COLONNES_ECRITES = (
    "indicateur_id", "date", "statut", "valeur_origine", "date_origine", "reference_constatee", "valeur_attendue",
    "mesure_id", "valeur_mesuree", "date_mesure", "avancement", "avancement_attendu",
)  # fmt: skip
_COLONNES = ", ".join(COLONNES_ECRITES)
_MISE_A_JOUR = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLONNES_ECRITES[2:])

# Per indicator whose pk lies in [premier, dernier], as one GROUP BY over its validated
# measurements up to the date: the latest (id, value, date) and the first (value, date);
# ordered array_agg picks them with the same tie-breaks as moteur.entrees_list (decision
# date, then id). Five correlated subqueries per indicator cost half a million index
# probes for 100 000 indicators; this reads the measurements once, along their
# (indicateur, statut, date) index.
RELEVES_VALIDES = """
SELECT indicateur_id,
       (array_agg(id ORDER BY date DESC, decision_le DESC, id DESC))[1] AS derniere_pk,
       (array_agg(valeur ORDER BY date DESC, decision_le DESC, id DESC))[1] AS derniere_valeur,
       max(date) AS derniere_date,
       (array_agg(valeur ORDER BY date, decision_le, id))[1] AS premiere_valeur,
       min(date) AS premiere_date
FROM indicateurs_mesure
WHERE statut = %(validee)s AND date <= %(date)s AND indicateur_id BETWEEN %(premier)s AND %(dernier)s
GROUP BY indicateur_id
"""

# What the rules need for each indicator of the range: the same columns as moteur.entrees_list,
# with the status of the latest evaluation before the date (to detect a change).
ENTREES = f"""
SELECT i.id, i.sens, i.valeur_reference, i.date_reference, i.valeur_cible, i.echeance,
       m.derniere_pk, m.derniere_valeur, m.derniere_date, m.premiere_valeur, m.premiere_date,
       (SELECT e.statut FROM indicateurs_evaluation e
        WHERE e.indicateur_id = i.id AND e.date < %(date)s ORDER BY e.date DESC LIMIT 1) AS statut_precedent
FROM indicateurs_indicateur i
LEFT JOIN ({RELEVES_VALIDES}) m ON m.indicateur_id = i.id
WHERE i.id BETWEEN %(premier)s AND %(dernier)s
"""  # noqa: S608 - constant SQL, values are parameters

# The rules of regles.evaluer, as one statement per range of indicators: read the inputs
# (ENTREES), evaluate, upsert the evaluations, upsert the status changes and delete those
# that no longer hold, and return the count of each status and of changes. Nothing goes
# through Python but the counts. The CASE follows regles.evaluer step by step;
# tests/indicateurs/evaluation/test_evaluation_en_base.py checks, indicator by
# indicator, that both write the same rows.
EVALUATION = f"""
WITH entrees AS ({ENTREES}),
origines AS (
    SELECT e.*, o.valeur_origine, o.date_origine, coalesce(o.constatee, false) AS constatee
    FROM entrees e
    LEFT JOIN LATERAL (
        SELECT x.* FROM (
            SELECT e.valeur_reference AS valeur_origine,
                   coalesce(e.date_reference, %(debut_programme)s) AS date_origine, false AS constatee
            WHERE e.valeur_reference IS NOT NULL
            UNION ALL
            SELECT e.premiere_valeur, e.premiere_date, true
            WHERE e.valeur_reference IS NULL AND e.premiere_date < e.derniere_date
        ) x
        WHERE x.date_origine < e.echeance
    ) o ON true
),
trajectoires AS (
    SELECT o.*,
           o.valeur_cible - o.valeur_origine AS distance,
           CASE WHEN o.valeur_cible - o.valeur_origine <> 0 THEN abs(o.valeur_cible - o.valeur_origine)
                ELSE abs(o.valeur_cible) END AS amplitude,
           -- Share of the time elapsed, 0 to 1, to the evaluation date and to the latest value's date.
           least(greatest((%(date)s - o.date_origine)::numeric(40, 28) / (o.echeance - o.date_origine), 0), 1)
               AS fraction_jour,
           least(greatest((o.derniere_date - o.date_origine)::numeric(40, 28) / (o.echeance - o.date_origine), 0), 1)
               AS attendu,
           (o.derniere_valeur - o.valeur_origine)::numeric(60, 28) / nullif(o.valeur_cible - o.valeur_origine, 0)
               AS avancement
    FROM origines o
),
atteintes AS (
    SELECT t.*,
           CASE t.sens WHEN %(hausse)s THEN t.derniere_valeur >= t.valeur_cible
                       WHEN %(baisse)s THEN t.derniere_valeur <= t.valeur_cible
                       ELSE abs(t.derniere_valeur - t.valeur_cible) <= %(tolerance_niveau)s * t.amplitude
           END AS derniere_atteint,
           CASE t.sens WHEN %(hausse)s THEN t.valeur_origine >= t.valeur_cible
                       WHEN %(baisse)s THEN t.valeur_origine <= t.valeur_cible
                       ELSE abs(t.valeur_origine - t.valeur_cible) <= %(tolerance_niveau)s * t.amplitude
           END AS origine_atteint
    FROM trajectoires t
),
resultats AS (
    SELECT a.*,
           CASE
               WHEN a.derniere_valeur IS NULL THEN %(non_renseigne)s
               WHEN a.derniere_atteint THEN %(atteint)s
               WHEN %(date)s > a.echeance THEN %(en_retard)s
               WHEN a.valeur_origine IS NULL THEN %(non_renseigne)s
               WHEN a.distance = 0 OR a.origine_atteint THEN %(en_retard)s
               WHEN a.attendu - a.avancement <= %(tolerance_bonne_voie)s THEN
                   CASE WHEN %(date)s - a.derniere_date > %(fraicheur_jours)s THEN %(a_surveiller)s
                        ELSE %(en_bonne_voie)s END
               WHEN a.attendu - a.avancement <= %(tolerance_a_surveiller)s THEN %(a_surveiller)s
               ELSE %(en_retard)s
           END AS statut
    FROM atteintes a
),
evaluations AS (
    INSERT INTO indicateurs_evaluation ({_COLONNES})
    SELECT r.id, %(date)s, r.statut, r.valeur_origine, r.date_origine, r.constatee,
           round(r.valeur_origine + (r.valeur_cible - r.valeur_origine) * r.fraction_jour, 4),
           r.derniere_pk, r.derniere_valeur, r.derniere_date,
           -- greatest() and least() skip NULLs: the CASEs keep "no progress" NULL.
           CASE WHEN r.avancement IS NOT NULL
                THEN least(greatest(round(r.avancement * 100, 2), -%(borne)s), %(borne)s) END,
           CASE WHEN r.derniere_valeur IS NOT NULL AND r.distance <> 0
                THEN least(greatest(round(r.attendu * 100, 2), -%(borne)s), %(borne)s) END
    FROM resultats r
    ORDER BY r.id
    ON CONFLICT (indicateur_id, date) DO UPDATE SET {_MISE_A_JOUR}
),
changements AS (
    -- No earlier evaluation reads as "non renseigné": a first "en retard" is news, a first "no data" is not.
    INSERT INTO indicateurs_changementstatut (indicateur_id, date, ancien_statut, nouveau_statut)
    SELECT r.id, %(date)s, coalesce(r.statut_precedent, ''), r.statut
    FROM resultats r
    WHERE r.statut <> coalesce(r.statut_precedent, %(non_renseigne)s)
    ORDER BY r.id
    ON CONFLICT (indicateur_id, date)
    DO UPDATE SET ancien_statut = EXCLUDED.ancien_statut, nouveau_statut = EXCLUDED.nouveau_statut
),
perimes AS (
    -- A rerun after a late validation may find no change where the first run found one.
    DELETE FROM indicateurs_changementstatut c
    USING resultats r
    WHERE c.indicateur_id = r.id AND c.date = %(date)s AND r.statut = coalesce(r.statut_precedent, %(non_renseigne)s)
)
SELECT statut, count(*), count(*) FILTER (WHERE statut <> coalesce(statut_precedent, %(non_renseigne)s))
FROM resultats
GROUP BY statut
"""  # noqa: S608 - constant SQL, values are parameters


def entrees_parametres(*, date: datetime.date, premier: int = PREMIER_PK, dernier: int = DERNIER_PK) -> dict:
    """The parameters of RELEVES_VALIDES and ENTREES: the date and the range of indicator pks (all by default)."""
    return {"date": date, "validee": Mesure.Statut.VALIDEE, "premier": premier, "dernier": dernier}


def evaluation_parametres(*, date: datetime.date, premier: int, dernier: int) -> dict:
    """The parameters of EVALUATION: the inputs', the rules' constants, the statuses and directions."""
    return {
        **entrees_parametres(date=date, premier=premier, dernier=dernier),
        "debut_programme": regles.DEBUT_PROGRAMME,
        "tolerance_niveau": regles.TOLERANCE_NIVEAU,
        "tolerance_bonne_voie": regles.TOLERANCE_BONNE_VOIE,
        "tolerance_a_surveiller": regles.TOLERANCE_A_SURVEILLER,
        "fraicheur_jours": regles.FRAICHEUR_MAX.days,
        "borne": regles.AVANCEMENT_BORNE,
        "hausse": Indicateur.Sens.HAUSSE,
        "baisse": Indicateur.Sens.BAISSE,
        **{statut: statut for statut in Statut.values},
    }
