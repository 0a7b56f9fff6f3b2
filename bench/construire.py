"""Build a bench database: the 24 real laureates, then a large synthetic programme around them.

    .venv/bin/python bench/construire.py                    # ti_bench_10k, 10 000 projects
    .venv/bin/python bench/construire.py --projets 24       # ti_bench_24, the real programme

The database is dropped and recreated (only names starting with "ti_bench"),
migrated, loaded with `charger_laureats` (the 24 fiches, their 101 indicators),
then completed in PostgreSQL itself with INSERT ... SELECT generate_series:
no row goes through Python. For N projects:

| rows                         | N = 24 (real programme)      | N = 10 000       |
|------------------------------|------------------------------|------------------|
| projects                     | 24                           | 10 000           |
| organisations, partnerships  | 25, 25 (the fiches)          | 5 N each: 50 000 |
| indicators                   | 101 (the fiches)             | 10 N: 100 000    |
| measurements                 | 10 per indicator: 1 010      | 1 000 000        |
| ledger entries               | 10 per project: 240          | 100 000          |
| conventions, tranches        | 2, 4 per project: 48, 96     | 20 000, 40 000   |

Ledger entries keep the programme's invariants: two commitments of 20 % of
each allocation (so a project's subsidy stays under its planned amount and
each envelope under its ceiling), one or two disbursements of 40 % and 30 % of
each commitment, and the audit columns (before/after) as running sums. A
subsidy commitment is a convention's (with the project's lead, signed on the
commitment's date, same reference), whose schedule has two tranches: 40 % at
two months, paid in full by the first disbursement, and 60 % planned four
months to seven years later, which the second disbursement (when there is one)
pays in part; the others are overdue or planned up to 2030. The running totals
of allocations and envelopes are then set from the ledger with one UPDATE ...
FROM (SELECT ... GROUP BY) each. Inserting is allowed by the ledger's
triggers, which refuse UPDATE and DELETE, and a subsidy entry without a
convention or a payment of one without its tranche.

With synthetic projects the envelope ceilings are raised in proportion
(150 M€ × N / 24 and 300 M€ × N / 24): the real ceilings are for 24 projects.
"""

import argparse
import os
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

PREFIXE_BASE = "ti_bench"
SERVEUR = "postgres://postgres@127.0.0.1:5432"

VILLES = [
    "Aurillac", "Brest", "Chambéry", "Dieppe", "Épinal", "Figeac", "Guéret", "Hyères", "Issoire", "Joigny",
    "Laval", "Millau", "Nevers", "Oyonnax", "Pau", "Quimper", "Rodez", "Saumur", "Tarbes", "Ussel",
    "Vesoul", "Wissembourg", "Yssingeaux", "Agen", "Blois", "Cahors", "Dole", "Évreux", "Foix", "Gap",
    "Hazebrouck", "Lannion", "Mende", "Niort", "Orange", "Privas", "Redon", "Sedan", "Thiers", "Vichy",
]  # fmt: skip
SUJETS = [
    "transition agricole", "mobilités décarbonées", "santé connectée", "énergie citoyenne", "forêt et bois",
    "économie circulaire", "littoral résilient", "tourisme durable", "alimentation locale", "industrie du futur",
]  # fmt: skip


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projets", type=int, default=10_000, help="Projets au total (24 : le programme réel).")
    parser.add_argument("--base", help="Nom de la base (défaut : ti_bench_24 ou ti_bench_10k, ti_bench_N sinon).")
    args = parser.parse_args(argv)
    if args.projets < 24 or args.projets > 30_000:
        parser.error("--projets : entre 24 et 30 000 (l'ordre des projets est un smallint).")
    if args.base is None:
        args.base = {24: "ti_bench_24", 10_000: "ti_bench_10k"}.get(args.projets, f"ti_bench_{args.projets}")
    if not args.base.startswith(PREFIXE_BASE) or not args.base.replace("_", "").isalnum():
        parser.error(f"--base : le nom doit commencer par « {PREFIXE_BASE} » (la base est supprimée puis recréée).")
    return args


def recreer_base(nom: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{SERVEUR}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{nom}"')
    conn.close()


class Etapes:
    """The synthetic rows, step by step; each step is one or a few INSERT ... SELECT."""

    def __init__(self, cur, projets: int):
        self.cur = cur
        self.n = projets
        self.s = projets - 24  # synthetic projects

    def scalaire(self, sql: str, params=None):
        self.cur.execute(sql, params)
        return self.cur.fetchone()[0]

    def base_id(self, table: str) -> int:
        return self.scalaire(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - table names are ours

    def recaler_sequence(self, table: str) -> None:
        self.cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
        )

    def liste(self, *, synthetique: bool) -> list[tuple[str, int, callable]]:
        """(label, rows, function) for the progress bar."""
        etapes = []
        if synthetique:
            self.o = 5 * self.n - 25  # synthetic organisations: 5 N in all with the 25 of the fiches
            self.k = 5 * self.n - 25  # synthetic partnerships: 5 N in all
            self.i = 10 * self.n - 101  # synthetic indicators: 10 N in all with the 101 of the fiches
            etapes += [
                ("organisations", self.o, self.organisations),
                ("projets", self.s, self.projets),
                ("thématiques et types de territoire", 4 * self.s, self.vocabulaires),
                ("partenariats", self.k, self.partenariats),
                ("objectifs et impacts", 8 * self.s, self.textes),
                ("allocations et plafonds", 2 * self.s, self.allocations),
                ("indicateurs", self.i, self.indicateurs),
            ]
        etapes += [
            ("engagements", 4 * self.n, self.engagements),
            ("versements", 6 * self.n, self.versements),
            ("totaux courants", 2 * self.n, self.totaux),
        ]
        nb_indicateurs = 10 * self.n if synthetique else self.scalaire("SELECT count(*) FROM indicateurs_indicateur")
        # Measurements by slices of indicators so that the bar moves.
        tranche = 10_000
        for debut in range(0, nb_indicateurs, tranche):
            fin = min(debut + tranche, nb_indicateurs)
            etapes.append(("mesures", 10 * (fin - debut), lambda d=debut, f=fin: self.mesures(d, f)))
        return etapes

    def organisations(self):
        self.org_base = self.base_id("laureats_organisation")
        self.cur.execute(
            f"""
            INSERT INTO laureats_organisation (id, slug, nom, siren, rna, nature, cree_le, modifie_le)
            SELECT %(base)s + g, 'bench-organisation-' || lpad(g::text, 6, '0'),
                   (ARRAY['Commune de', 'Communauté de communes de', 'Association pour', 'SAS', 'Syndicat mixte de',
                          'Université de', 'Chambre d''agriculture de', 'SEM'])[1 + g %% 8]
                   || ' ' || ({sql_array(VILLES)})[1 + (g / 8) %% {len(VILLES)}] || ' ' || g,
                   '', '',
                   (ARRAY['collectivite', 'etablissement_public', 'entreprise', 'association', 'autre'])[1 + g %% 5],
                   now(), now()
            FROM generate_series(1, %(o)s) g
            """,  # noqa: S608 - constant word lists, values are parameters
            {"base": self.org_base, "o": self.o},
        )
        self.recaler_sequence("laureats_organisation")

    def projets(self):
        self.projet_base = self.base_id("laureats_projet")
        self.cur.execute(
            f"""
            WITH regions AS (SELECT array_agg(id ORDER BY code) AS ids FROM territoires_region)
            INSERT INTO laureats_projet (
                id, slug, ordre, titre, intitule_sommaire, page_dossier, chef_de_file_libelle, partenaires_libelle,
                nb_partenaires_declares, nb_collectivites_declarees, population_libelle, population_concernee,
                ambition, budget_previsionnel, statut, cree_le, modifie_le, chef_de_file_id, region_id)
            SELECT %(base)s + g, 'bench-projet-' || lpad(g::text, 5, '0'), 24 + g,
                   initcap(({sql_array(SUJETS)})[1 + g %% {len(SUJETS)}]) || ' en pays de '
                   || ({sql_array(VILLES)})[1 + (g / 3) %% {len(VILLES)}] || ' (n° ' || g || ')',
                   '', NULL, '', '', 5 + g %% 60, (5 + g %% 60) / 3, '', 1000 + (g * 7919) %% 900000,
                   repeat('Le territoire de ' || ({sql_array(VILLES)})[1 + (g / 3) %% {len(VILLES)}]
                          || ' fait de la ' || ({sql_array(SUJETS)})[1 + g %% {len(SUJETS)}]
                          || ' le moteur de son développement, avec ses habitants, ses entreprises et ses '
                          || 'collectivités, sur dix ans. ', 4),
                   CASE WHEN g %% 25 = 0 THEN NULL ELSE ((50 + (g * 104729) %% 950) * 100000)::numeric(15, 2) END,
                   (ARRAY['en_conventionnement', 'en_cours', 'en_cours', 'en_cours', 'cloture'])[1 + g %% 5],
                   now(), now(),
                   %(org_base)s + 1 + ((g - 1) * 5) %% %(o)s,
                   regions.ids[1 + (g * 7) %% cardinality(regions.ids)]
            FROM generate_series(1, %(s)s) g, regions
            """,  # noqa: S608 - constant word lists, values are parameters
            {"base": self.projet_base, "s": self.s, "org_base": self.org_base, "o": self.o},
        )
        self.recaler_sequence("laureats_projet")

    def vocabulaires(self):
        for table, vocabulaire, fk in (
            ("laureats_projetthematique", "territoires_thematique", "thematique_id"),
            ("laureats_projettypeterritoire", "territoires_typeterritoire", "type_territoire_id"),
        ):
            nb = self.scalaire(f"SELECT count(*) FROM {vocabulaire}")  # noqa: S608
            # Two distinct entries per project: the second is 1 to nb-1 places after the first.
            self.cur.execute(
                f"""
                INSERT INTO {table} (libelle_fiche, ordre, projet_id, {fk})
                SELECT v.libelle, k, %(base)s + g, v.id
                FROM generate_series(1, %(s)s) g
                CROSS JOIN generate_series(1, 2) k
                JOIN (SELECT id, libelle, row_number() OVER (ORDER BY id) - 1 AS rang FROM {vocabulaire}) v
                  ON v.rang = CASE WHEN k = 1 THEN g %% %(nb)s ELSE (g + 1 + (g / %(nb)s) %% (%(nb)s - 1)) %% %(nb)s END
                """,  # noqa: S608
                {"base": self.projet_base, "s": self.s, "nb": nb},
            )

    def partenariats(self):
        # Partnership j: project p = 1 + (j-1) % S, t-th of its partners (t = (j-1) / S, 0 is the lead),
        # organisation (p-1)*5 + t: distinct within a project, shared with the neighbouring projects.
        self.cur.execute(
            """
            INSERT INTO laureats_partenariat (role, cree_le, organisation_id, projet_id)
            SELECT CASE (j - 1) / %(s)s WHEN 0 THEN 'chef_de_file' WHEN 1 THEN 'co_porteur' WHEN 4 THEN 'financeur'
                                        ELSE 'partenaire' END,
                   now(),
                   %(org_base)s + 1 + (((j - 1) %% %(s)s) * 5 + (j - 1) / %(s)s) %% %(o)s,
                   %(base)s + 1 + (j - 1) %% %(s)s
            FROM generate_series(1, %(k)s) j
            """,
            {"s": self.s, "k": self.k, "org_base": self.org_base, "o": self.o, "base": self.projet_base},
        )

    def textes(self):
        self.cur.execute(
            """
            INSERT INTO laureats_objectif (ordre, texte, projet_id)
            SELECT k, 'Objectif stratégique ' || k || ' du projet ' || g
                      || ' : fédérer les acteurs du territoire autour d''une feuille de route partagée.',
                   %(base)s + g
            FROM generate_series(1, %(s)s) g CROSS JOIN generate_series(1, 3) k
            """,
            {"base": self.projet_base, "s": self.s},
        )
        self.impact_base = self.base_id("laureats_impact")
        self.cur.execute(
            """
            INSERT INTO laureats_impact (id, ordre, texte, projet_id)
            SELECT %(impact_base)s + (g - 1) * 5 + k, k,
                   'Impact ' || k || ' à horizon 2030 du projet ' || g
                   || ' : ' || (100 * k + g %% 900) || ' emplois créés et une baisse mesurable des émissions.',
                   %(base)s + g
            FROM generate_series(1, %(s)s) g CROSS JOIN generate_series(1, 5) k
            """,
            {"base": self.projet_base, "s": self.s, "impact_base": self.impact_base},
        )
        self.recaler_sequence("laureats_impact")

    def allocations(self):
        # Amounts in the range of the fiches: 1.9 to 11.9 M€ of subsidy, 6.6 to 37.6 M€ of investment potential.
        self.cur.execute(
            """
            INSERT INTO financements_allocation (montant, plafonnee, montant_engage, montant_verse, modifie_le,
                                                 projet_id, enveloppe_id)
            SELECT CASE e.code WHEN 'subvention' THEN (190 + (g * 37) %% 1000) * 10000
                               ELSE (660 + (g * 53) %% 3100) * 10000 END,
                   e.plafonne_par_projet, 0, 0, now(), %(base)s + g, e.id
            FROM generate_series(1, %(s)s) g CROSS JOIN financements_enveloppe e
            """,
            {"base": self.projet_base, "s": self.s},
        )
        # The real ceilings are for 24 projects: raised in proportion for the big programme.
        self.cur.execute("UPDATE financements_enveloppe SET plafond = round(plafond * %s / 24, 2)", [self.n])

    def indicateurs(self):
        # Shares (unit %, j % 6 = 4) start at 5 to 44 and aim at most at 89: their measurements,
        # up to 1.04 times the way to the target, stay within 0–100 (indicateurs.models.domaine).
        self.cur.execute(
            """
            INSERT INTO indicateurs_indicateur (code, extrait, libelle, unite, sens, mode, valeur_reference,
                                                date_reference, valeur_cible, echeance, frequence, note, cree_le,
                                                modifie_le, impact_id)
            SELECT 'bench-ind-' || lpad(j::text, 6, '0'), '',
                   (ARRAY['Emplois créés', 'Émissions de CO2 évitées', 'Logements rénovés', 'Surface en bio',
                          'Part modale du vélo', 'Consommation d''énergie'])[1 + j %% 6] || ' (' || j || ')',
                   (ARRAY['emplois', 't CO2', 'logements', 'ha', '%%', 'GWh'])[1 + j %% 6],
                   sens, 'absolu', ref,
                   CASE WHEN j %% 4 = 0 THEN NULL ELSE DATE '2019-01-01' END,
                   CASE WHEN ref IS NULL AND j %% 6 = 4 THEN 10 + j %% 80 WHEN ref IS NULL THEN 500 + j %% 500
                        WHEN sens = 'hausse' THEN ref * 2 WHEN sens = 'baisse' THEN ref / 2 ELSE ref * 1.5 END,
                   DATE '2030-12-31', 'annuelle', '', now(), now(), %(impact_base)s + 1 + (j - 1) %% %(nb_impacts)s
            FROM (SELECT j, (ARRAY['hausse', 'baisse', 'atteindre'])[1 + j %% 3] AS sens,
                         CASE WHEN j %% 10 = 0 THEN NULL WHEN j %% 6 = 4 THEN (5 + j %% 40)::numeric
                              ELSE (100 + j %% 900)::numeric END AS ref
                  FROM generate_series(1, %(i)s) j) AS x
            """,
            {"i": self.i, "impact_base": self.impact_base, "nb_impacts": 5 * self.s},
        )

    def engagements(self):
        # Two commitments of 20 % of each allocation, 400 days apart: the project's committed
        # amount before/after is 0 → m → 2m. A subsidy's is its convention's, written first.
        allocations = """
            SELECT a.id, a.projet_id, a.enveloppe_id, e.code, round(a.montant * 0.20, 2) AS m,
                   row_number() OVER (ORDER BY a.id) AS r
            FROM financements_allocation a JOIN financements_enveloppe e ON e.id = a.enveloppe_id
            WHERE a.montant > 0"""
        date = "DATE '2020-01-15' + (r %% %(etalement)s)::int + (k - 1) * 400"
        self.cur.execute(
            f"""
            INSERT INTO financements_convention (uid, objet, date_signature, reference, montant, nature_aide,
                conditions_versement, notification_ue, regime_aide, pourcentage_subvention, cree_le, modifie_le,
                allocation_id, auteur_id, beneficiaire_id, enveloppe_id, etablissement_id, projet_id)
            SELECT gen_random_uuid(), 'Convention de financement (banc d''essai)', {date},
                   'BENCH-E-' || r || '-' || k, m, 'numeraire', 'echelonne', false, '', NULL, now(), now(),
                   a.id, NULL, p.chef_de_file_id, a.enveloppe_id, NULL, a.projet_id
            FROM ({allocations}) a
            JOIN laureats_projet p ON p.id = a.projet_id
            CROSS JOIN generate_series(1, 2) k
            WHERE a.code = 'subvention'
            ORDER BY a.id, k
            """,  # noqa: S608 - constant SQL
            {"etalement": 700},
        )
        # Tranche 1 (40 %) is what the first disbursement pays; tranche 2 (the rest) is planned
        # four months to seven years after the signature.
        self.cur.execute(
            """
            INSERT INTO financements_tranche (numero, date_prevue, montant, condition, retard_signale_le, modifie_le,
                                              convention_id)
            SELECT n, CASE n WHEN 1 THEN c.date_signature + 60 ELSE c.date_signature + 120 + (c.id %% 8)::int * 365 END,
                   CASE n WHEN 1 THEN round(c.montant * 0.40, 2) ELSE c.montant - round(c.montant * 0.40, 2) END,
                   CASE n WHEN 1 THEN 'À la signature' ELSE 'Sur justificatifs' END, NULL, now(), c.id
            FROM financements_convention c CROSS JOIN generate_series(1, 2) n
            WHERE c.reference LIKE 'BENCH-E-%%'
            ORDER BY c.id, n
            """,
            {},
        )
        self.cur.execute(
            f"""
            INSERT INTO financements_engagement (uid, nature, montant, date, reference, motif, depasse_potentiel,
                justification_depassement, engage_projet_avant, engage_projet_apres, cree_le, allocation_id,
                auteur_id, engagement_origine_id, projet_id, enveloppe_id, convention_id, avenant_id)
            SELECT gen_random_uuid(), 'engagement', m, {date},
                   'BENCH-E-' || r || '-' || k, 'Convention de financement (banc d''essai)', false, '',
                   (k - 1) * m, k * m, now(), a.id, NULL, NULL, a.projet_id, a.enveloppe_id, c.id, NULL
            FROM ({allocations}) a
            CROSS JOIN generate_series(1, 2) k
            LEFT JOIN financements_convention c
              ON c.enveloppe_id = a.enveloppe_id AND c.reference = 'BENCH-E-' || r || '-' || k
            ORDER BY a.id, k
            """,  # noqa: S608 - constant SQL
            {"etalement": 700},
        )

    def versements(self):
        # Every commitment gets a payment of 40 %; every other one a second of 30 %, 60 days later.
        self.cur.execute(
            """
            INSERT INTO financements_versement (uid, nature, montant, date, reference, motif, verse_engagement_avant,
                verse_engagement_apres, cree_le, auteur_id, engagement_id, versement_origine_id, tranche_id)
            SELECT gen_random_uuid(), 'versement', CASE t WHEN 1 THEN v1 ELSE v2 END, date + 60 * t,
                   'BENCH-V-' || r || '-' || t, '',
                   CASE t WHEN 1 THEN 0 ELSE v1 END, CASE t WHEN 1 THEN v1 ELSE v1 + v2 END,
                   now(), NULL, e.id, NULL, tr.id
            FROM (SELECT id, date, convention_id, round(montant * 0.40, 2) AS v1, round(montant * 0.30, 2) AS v2,
                         row_number() OVER (ORDER BY id) AS r
                  FROM financements_engagement WHERE nature = 'engagement') e
            CROSS JOIN generate_series(1, 2) t
            -- A subsidy's payment t pays its convention's tranche t.
            LEFT JOIN financements_tranche tr ON tr.convention_id = e.convention_id AND tr.numero = t
            WHERE t = 1 OR r %% %(un_sur)s = 0
            ORDER BY e.id, t
            """,
            {"un_sur": 2},
        )

    def totaux(self):
        # The running totals the ledger services maintain, set from the ledger itself.
        self.cur.execute(
            """
            WITH eng AS (
                SELECT allocation_id,
                       sum(CASE WHEN nature = 'engagement' THEN montant ELSE -montant END) AS engage
                FROM financements_engagement GROUP BY allocation_id),
            ver AS (
                SELECT e.allocation_id,
                       sum(CASE WHEN v.nature = 'versement' THEN v.montant ELSE -v.montant END) AS verse
                FROM financements_versement v JOIN financements_engagement e ON e.id = v.engagement_id
                GROUP BY e.allocation_id)
            UPDATE financements_allocation a
            SET montant_engage = eng.engage, montant_verse = coalesce(ver.verse, 0)
            FROM eng LEFT JOIN ver USING (allocation_id)
            WHERE a.id = eng.allocation_id
            """
        )
        self.cur.execute(
            """
            UPDATE financements_enveloppe e
            SET montant_engage = s.engage, montant_verse = s.verse
            FROM (SELECT enveloppe_id, sum(montant_engage) AS engage, sum(montant_verse) AS verse
                  FROM financements_allocation GROUP BY enveloppe_id) s
            WHERE e.id = s.enveloppe_id
            """
        )

    def mesures(self, debut: int, fin: int):
        # Ten values per indicator, every six months up to this month; the latest is still submitted,
        # about one in ten of the others was rejected, the rest validated. Values follow the
        # trajectory at one of six paces, so that evaluations spread over every status.
        # A measurement's last change is its decision, or its submission while undecided: the
        # column's default, now(), would make every row look edited today. The column comes with a
        # later migration: set only where it exists.
        modifie_le = ("", "")
        if self.mesure_modifie_le():
            modifie_le = (", modifie_le", ", d + CASE statut WHEN 'soumise' THEN 10 ELSE 40 END * interval '1 day'")
        self.cur.execute(
            f"""
            INSERT INTO indicateurs_mesure (uid, date, valeur, source, soumise_le, statut, commentaire, decision_le,
                                            demo, auteur_id, decision_par_id, indicateur_id{modifie_le[0]})
            SELECT gen_random_uuid(), d, valeur, 'Relevé annuel (banc d''essai)', d + interval '10 days', statut,
                   CASE statut WHEN 'rejetee' THEN 'Valeur non justifiée (banc d''essai)' ELSE '' END,
                   CASE statut WHEN 'soumise' THEN NULL ELSE d + interval '40 days' END,
                   false, NULL, NULL, id{modifie_le[1]}
            FROM (
                SELECT i.id, k, current_date - (9 - k) * 182 - (i.r %% 30)::int AS d,
                       CASE WHEN k = 9 THEN 'soumise' WHEN (i.r + k) %% 10 = 9 THEN 'rejetee' ELSE 'validee' END
                           AS statut,
                       round(coalesce(i.valeur_reference, 0)
                             + (i.valeur_cible - coalesce(i.valeur_reference, 0)) * (k + 1) / 12.0
                               * (ARRAY[1.25, 1.0, 1.0, 0.85, 0.7, 0.4])[1 + i.r %% 6], 4) AS valeur
                FROM (SELECT id, valeur_reference, valeur_cible, row_number() OVER (ORDER BY id) AS r
                      FROM indicateurs_indicateur ORDER BY id OFFSET %(debut)s LIMIT %(nb)s) i
                CROSS JOIN generate_series(0, 9) k
            ) x
            ORDER BY id, k
            """,  # noqa: S608 - constant SQL
            {"debut": debut, "nb": fin - debut},
        )

    def mesure_modifie_le(self) -> bool:
        """Whether indicateurs_mesure has its modifie_le column yet (added by a later migration)."""
        if not hasattr(self, "_mesure_modifie_le"):
            self._mesure_modifie_le = bool(
                self.scalaire(
                    """SELECT count(*) FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = 'indicateurs_mesure'
                         AND column_name = 'modifie_le'"""
                )
            )
        return self._mesure_modifie_le


_ENGAGE = "sum(CASE WHEN g.nature = 'engagement' THEN g.montant ELSE -g.montant END)"
_VERSE = "sum(CASE WHEN v.nature = 'versement' THEN v.montant ELSE -v.montant END)"
CONTROLES = {
    # Invariant 1: an envelope's commitments never exceed its ceiling.
    "engagements au-delà du plafond d'une enveloppe": f"""
        SELECT count(*) FROM financements_enveloppe e
        JOIN (SELECT g.enveloppe_id, {_ENGAGE} AS engage FROM financements_engagement g GROUP BY 1) s
          ON s.enveloppe_id = e.id
        WHERE s.engage > e.plafond""",  # noqa: S608 - constant SQL
    # Invariant 2: a project's committed subsidy never exceeds its planned subsidy.
    "allocations plafonnées dépassées": f"""
        SELECT count(*) FROM financements_allocation a
        JOIN (SELECT g.allocation_id, {_ENGAGE} AS engage FROM financements_engagement g GROUP BY 1) s
          ON s.allocation_id = a.id
        WHERE a.plafonnee AND s.engage > a.montant""",  # noqa: S608 - constant SQL
    # Invariant 3: what is paid on a commitment never exceeds it.
    "engagements sur-versés": f"""
        SELECT count(*) FROM financements_engagement g
        JOIN (SELECT v.engagement_id, {_VERSE} AS verse FROM financements_versement v GROUP BY 1) s
          ON s.engagement_id = g.id
        WHERE s.verse > g.montant""",  # noqa: S608 - constant SQL
    # The running totals equal the ledger.
    "totaux courants d'allocation faux": f"""
        SELECT count(*) FROM financements_allocation a
        LEFT JOIN (SELECT g.allocation_id, {_ENGAGE} AS engage FROM financements_engagement g GROUP BY 1) e
          ON e.allocation_id = a.id
        LEFT JOIN (SELECT g.allocation_id, {_VERSE} AS verse
                   FROM financements_versement v JOIN financements_engagement g ON g.id = v.engagement_id
                   GROUP BY 1) v
          ON v.allocation_id = a.id
        WHERE a.montant_engage <> coalesce(e.engage, 0) OR a.montant_verse <> coalesce(v.verse, 0)""",  # noqa: S608 - constant SQL
    "totaux courants d'enveloppe faux": """
        SELECT count(*) FROM financements_enveloppe e
        LEFT JOIN (SELECT enveloppe_id, sum(montant_engage) AS engage, sum(montant_verse) AS verse
                   FROM financements_allocation GROUP BY 1) s
          ON s.enveloppe_id = e.id
        WHERE e.montant_engage <> coalesce(s.engage, 0) OR e.montant_verse <> coalesce(s.verse, 0)""",
    # A convention's tranches sum to its amount, which is the net of the entries made under it.
    "conventions dont les tranches ne font pas le montant": """
        SELECT count(*) FROM financements_convention c
        LEFT JOIN (SELECT convention_id, sum(montant) AS total FROM financements_tranche GROUP BY 1) t
          ON t.convention_id = c.id
        WHERE c.montant <> coalesce(t.total, 0)""",
    "conventions dont le montant n'est pas celui de leurs écritures": f"""
        SELECT count(*) FROM financements_convention c
        LEFT JOIN (SELECT g.convention_id, {_ENGAGE} AS engage FROM financements_engagement g GROUP BY 1) s
          ON s.convention_id = c.id
        WHERE c.montant <> coalesce(s.engage, 0)""",  # noqa: S608 - constant SQL
    "tranches sur-versées": f"""
        SELECT count(*) FROM financements_tranche t
        JOIN (SELECT v.tranche_id, {_VERSE} AS verse FROM financements_versement v GROUP BY 1) s
          ON s.tranche_id = t.id
        WHERE s.verse > t.montant""",  # noqa: S608 - constant SQL
    "projets sans exactement un partenariat de chef de file": """
        SELECT count(*) FROM laureats_projet p
        LEFT JOIN (SELECT projet_id, count(*) AS nb FROM laureats_partenariat
                   WHERE role = 'chef_de_file' GROUP BY 1) c
          ON c.projet_id = p.id
        WHERE p.slug LIKE 'bench-%%' AND coalesce(c.nb, 0) <> 1""",
}


def controler(cur) -> None:
    """The invariants the database does not check row by row on INSERT: refuse a wrong dataset."""
    erreurs = []
    for nom, sql in CONTROLES.items():
        cur.execute(sql, {})
        if (nb := cur.fetchone()[0]) != 0:
            erreurs.append(f"{nom} : {nb}")
    if erreurs:
        raise SystemExit("Jeu de données incohérent : " + " ; ".join(erreurs))


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = f"{SERVEUR}/{args.base}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.reglages")
    debut = time.monotonic()

    import django
    from tqdm import tqdm

    print(f"Base {args.base} : recréée, migrée, 24 lauréats chargés, puis {args.projets} projets.", flush=True)
    recreer_base(args.base)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    with tqdm(total=2, desc="migrate + charger_laureats", unit="étape") as barre:
        call_command("migrate", verbosity=0)
        barre.update()
        call_command("charger_laureats", verbosity=0)
        barre.update()

    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET work_mem = '256MB'")
        etapes = Etapes(cur, args.projets)
        liste = etapes.liste(synthetique=args.projets > 24)
        with tqdm(total=sum(n for _, n, _ in liste), desc="lignes", unit="ligne", unit_scale=True) as barre:
            for label, nb, fonction in liste:
                barre.set_postfix_str(label)
                with transaction.atomic():
                    fonction()
                barre.update(nb)

    with tqdm(total=1, desc="contrôles des invariants", unit="base") as barre, connection.cursor() as cur:
        controler(cur)
        barre.update()

    # Statistics for the planner and the visibility map for index-only scans.
    with tqdm(total=1, desc="VACUUM ANALYZE", unit="base") as barre, connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        barre.update()

    with connection.cursor() as cur:
        comptes = {}
        for table in (
            "laureats_projet", "laureats_organisation", "laureats_partenariat", "indicateurs_indicateur",
            "indicateurs_mesure", "financements_engagement", "financements_versement", "financements_convention",
            "financements_tranche",
        ):  # fmt: skip
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
            comptes[table] = cur.fetchone()[0]
        cur.execute("SELECT code, plafond, montant_engage, montant_verse FROM financements_enveloppe ORDER BY code")
        enveloppes = cur.fetchall()
    print(f"\n{args.base} construite en {time.monotonic() - debut:.0f} s :")
    comptes["écritures du grand livre"] = comptes["financements_engagement"] + comptes["financements_versement"]
    for table, nb in comptes.items():
        print(f"  {table:<28} {nb:>10,}".replace(",", " "))
    for code, plafond, engage, verse in enveloppes:
        ligne = (
            f"  enveloppe {code:<15} plafond {plafond:>20,.2f} €  engagé {engage:>20,.2f} €  versé {verse:>20,.2f} €"
        )
        print(ligne.replace(",", " "))


if __name__ == "__main__":
    main()
