"""The floor of each measured endpoint: the same rows by one raw SQL query, encoded with orjson.

Each floor runs ONE query on the raw psycopg2 connection (no ORM, no DRF, no
template), nests lists with json_agg where the endpoint nests them, renders
amounts as the API does (numeric::text gives "5700000.00"), then encodes the
result with orjson. That is about the least any Python web stack can do to
serve the same information; the endpoint / floor ratio is what the portal's
layers (ORM, serializers, templates, middleware) cost on top of it.

json columns are decoded with orjson.loads (psycopg2's default is the slower json.loads)
so as not to flatter the ratio.
"""

import datetime

import orjson
import psycopg2.extras

# No Django import at module level: bench/serveur_plancher.py serves these floors without Django.

# --- GET /api/v1/projets/?page_size=100 -------------------------------------------
# The first page in the API's default order (ordre), with the region, the lead,
# both allocations, the fiche's themes and territory types (wording of the fiche
# and controlled vocabulary), and the total for `count`.
PROJETS_COLONNES = """
    p.slug,
    %(base)s || p.slug || '/' AS url,
    p.titre,
    json_build_object('code', r.code, 'nom', r.nom) AS region,
    json_build_object('slug', o.slug, 'nom', o.nom, 'siren', o.siren, 'nature', o.nature) AS chef_de_file,
    p.nb_partenaires_declares,
    p.nb_collectivites_declarees,
    p.population_concernee,
    p.budget_previsionnel::text AS budget_previsionnel,
    (SELECT a.montant::text FROM financements_allocation a JOIN financements_enveloppe e ON e.id = a.enveloppe_id
     WHERE a.projet_id = p.id AND e.code = 'subvention') AS subvention_prevue,
    (SELECT a.montant::text FROM financements_allocation a JOIN financements_enveloppe e ON e.id = a.enveloppe_id
     WHERE a.projet_id = p.id AND e.code = 'investissement') AS investissement_potentiel,
    (SELECT coalesce(json_agg(pt.libelle_fiche ORDER BY pt.ordre), '[]') FROM laureats_projetthematique pt
     WHERE pt.projet_id = p.id) AS thematiques,
    (SELECT coalesce(json_agg(pt.libelle_fiche ORDER BY pt.ordre), '[]') FROM laureats_projettypeterritoire pt
     WHERE pt.projet_id = p.id) AS types_territoire,
    (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'libelle', t.libelle) ORDER BY pt.ordre), '[]')
     FROM laureats_projetthematique pt JOIN territoires_thematique t ON t.id = pt.thematique_id
     WHERE pt.projet_id = p.id) AS thematiques_normalisees,
    (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'libelle', t.libelle) ORDER BY pt.ordre), '[]')
     FROM laureats_projettypeterritoire pt JOIN territoires_typeterritoire t ON t.id = pt.type_territoire_id
     WHERE pt.projet_id = p.id) AS types_territoire_normalises,
    p.modifie_le
"""
PROJETS_SQL = f"""
SELECT {PROJETS_COLONNES}, (SELECT count(*) FROM laureats_projet) AS total
FROM laureats_projet p
JOIN territoires_region r ON r.id = p.region_id
JOIN laureats_organisation o ON o.id = p.chef_de_file_id
ORDER BY p.ordre, p.id
LIMIT %(limite)s
"""  # noqa: S608 - constant SQL, values are parameters

# --- GET /api/v1/projets/?updated_since=<date>&page_size=100 (a partner's sync) ----------------
# The same rows in the order of their last change, from a date on; keyset-paginated: no count.
# The page's ids first (the modifie_le index), then the columns of those 100 rows only.
PROJETS_SYNC_SQL = f"""
SELECT {PROJETS_COLONNES}
FROM (SELECT id FROM laureats_projet WHERE modifie_le >= %(depuis)s ORDER BY modifie_le, id LIMIT %(limite)s) k
JOIN laureats_projet p ON p.id = k.id
JOIN territoires_region r ON r.id = p.region_id
JOIN laureats_organisation o ON o.id = p.chef_de_file_id
ORDER BY p.modifie_le, p.id
"""  # noqa: S608

# --- GET /api/v1/projets/{slug}/ ------------------------------------------------------
# The list's columns plus the fiche's texts, the recorded partnerships with their
# organisation, and the labels.
PROJET_SQL = f"""
SELECT {PROJETS_COLONNES},
    p.intitule_sommaire, p.page_dossier, p.chef_de_file_libelle, p.partenaires_libelle, p.population_libelle,
    p.ambition,
    (SELECT coalesce(json_agg(x.texte ORDER BY x.ordre), '[]') FROM laureats_objectif x
     WHERE x.projet_id = p.id) AS objectifs,
    (SELECT coalesce(json_agg(x.texte ORDER BY x.ordre), '[]') FROM laureats_impact x
     WHERE x.projet_id = p.id) AS impacts_2030,
    (SELECT coalesce(json_agg(json_build_object(
                'organisation', json_build_object('slug', og.slug, 'nom', og.nom, 'siren', og.siren,
                                                  'nature', og.nature),
                'role', pa.role) ORDER BY pa.role, og.nom), '[]')
     FROM laureats_partenariat pa JOIN laureats_organisation og ON og.id = pa.organisation_id
     WHERE pa.projet_id = p.id) AS partenariats,
    (SELECT coalesce(json_agg(l.nom), '[]')
     FROM laureats_projet_labels pl JOIN territoires_label l ON l.id = pl.label_id
     WHERE pl.projet_id = p.id) AS labels
FROM laureats_projet p
JOIN territoires_region r ON r.id = p.region_id
JOIN laureats_organisation o ON o.id = p.chef_de_file_id
WHERE p.slug = %(slug)s
"""  # noqa: S608

# --- GET /api/v1/enveloppes/ ----------------------------------------------------------
# Both envelopes with the sum of their allocations and every derived figure.
ENVELOPPES_SQL = """
SELECT e.code, e.libelle, e.plafond::text AS plafond, s.total::text AS total_alloue,
       e.montant_engage::text AS engage, e.montant_verse::text AS verse,
       (e.plafond - e.montant_engage)::text AS reste_a_engager,
       (e.montant_engage - e.montant_verse)::text AS reste_a_verser,
       s.total > e.plafond AS allocations_depassent_plafond,
       greatest(s.total - e.plafond, 0)::text AS depassement_allocations,
       round(e.montant_engage * 100 / nullif(e.plafond, 0), 2)::text AS taux_engagement,
       round(e.montant_verse * 100 / nullif(e.montant_engage, 0), 2)::text AS taux_versement
FROM financements_enveloppe e
LEFT JOIN LATERAL (SELECT coalesce(sum(a.montant), 0) AS total FROM financements_allocation a
                   WHERE a.enveloppe_id = e.id) s ON true
ORDER BY e.plafond
"""

# --- GET /api/v1/regions/{code}/financements/ (and the HTML regional dashboard) ------------
# By envelope, by project (with both envelopes nested) and by year, for one region;
# the dashboard adds the monthly cumulative series (MOIS_SQL).
_CHIFFRES = """json_build_object('code', code, 'alloue', alloue::text, 'engage', engage::text,
    'verse', verse::text, 'reste_a_engager', (alloue - engage)::text, 'reste_a_verser', (engage - verse)::text,
    'taux_engagement', round(engage * 100 / nullif(alloue, 0), 2)::text,
    'taux_versement', round(verse * 100 / nullif(engage, 0), 2)::text)"""
REGION_CTE = """
WITH alloc AS (
    SELECT p.id AS projet_id, p.slug, p.titre, p.ordre, e.code, e.plafond,
           a.montant AS alloue, a.montant_engage AS engage, a.montant_verse AS verse
    FROM financements_allocation a
    JOIN laureats_projet p ON p.id = a.projet_id
    JOIN territoires_region r ON r.id = p.region_id
    JOIN financements_enveloppe e ON e.id = a.enveloppe_id
    WHERE r.code = %(code)s),
engagements AS (
    SELECT g.date, e.code, CASE WHEN g.nature = 'engagement' THEN g.montant ELSE -g.montant END AS montant
    FROM financements_engagement g
    JOIN laureats_projet p ON p.id = g.projet_id JOIN territoires_region r ON r.id = p.region_id
    JOIN financements_enveloppe e ON e.id = g.enveloppe_id
    WHERE r.code = %(code)s),
versements AS (
    SELECT v.date, e.code, CASE WHEN v.nature = 'versement' THEN v.montant ELSE -v.montant END AS montant
    FROM financements_versement v JOIN financements_engagement g ON g.id = v.engagement_id
    JOIN laureats_projet p ON p.id = g.projet_id JOIN territoires_region r ON r.id = p.region_id
    JOIN financements_enveloppe e ON e.id = g.enveloppe_id
    WHERE r.code = %(code)s),
annees AS (
    SELECT coalesce(x.annee, y.annee) AS annee, coalesce(x.code, y.code) AS code,
           coalesce(x.engage, 0) AS engage, coalesce(y.verse, 0) AS verse
    FROM (SELECT extract(year FROM date)::int AS annee, code, sum(montant) AS engage
          FROM engagements GROUP BY 1, 2) x
    FULL JOIN (SELECT extract(year FROM date)::int AS annee, code, sum(montant) AS verse
               FROM versements GROUP BY 1, 2) y
    ON x.annee = y.annee AND x.code = y.code)
"""
REGION_SQL = f"""{REGION_CTE}
SELECT json_build_object('code', r.code, 'nom', r.nom) AS region,
    (SELECT json_agg({_CHIFFRES} ORDER BY code)
     FROM (SELECT code, sum(alloue) AS alloue, sum(engage) AS engage, sum(verse) AS verse FROM alloc GROUP BY code) t
    ) AS enveloppes,
    (SELECT coalesce(json_agg(json_build_object('slug', slug, 'titre', titre, 'enveloppes', chiffres)
                              ORDER BY ordre, titre), '[]')
     FROM (SELECT slug, titre, ordre, json_agg({_CHIFFRES} ORDER BY plafond) AS chiffres
           FROM alloc GROUP BY projet_id, slug, titre, ordre) t) AS projets,
    (SELECT coalesce(json_agg(json_build_object('annee', annee, 'enveloppe', code, 'engage', engage::text,
                                                'verse', verse::text) ORDER BY annee, code), '[]')
     FROM annees) AS annees
FROM territoires_region r WHERE r.code = %(code)s
"""  # noqa: S608
# The dashboard: the same sums over every project of the region, the monthly cumulative
# series, the overdue tranches summed by envelope (how many, what is left, the oldest date)
# and what is left to pay per year and envelope, but ONE page of projects (the first 50 by
# ordre, titre) with the region's number of projects. Bounded whatever the programme's size.
TABLEAU_SQL = f"""{REGION_CTE},
mois AS (
    SELECT coalesce(x.mois, y.mois) AS mois, coalesce(x.engage, 0) AS engage, coalesce(y.verse, 0) AS verse
    FROM (SELECT date_trunc('month', date) AS mois, sum(montant) AS engage FROM engagements GROUP BY 1) x
    FULL JOIN (SELECT date_trunc('month', date) AS mois, sum(montant) AS verse FROM versements GROUP BY 1) y
    ON x.mois = y.mois),
page AS (
    SELECT p.id, p.slug, p.titre, p.ordre FROM laureats_projet p JOIN territoires_region r ON r.id = p.region_id
    WHERE r.code = %(code)s ORDER BY p.ordre, p.titre LIMIT %(limite)s),
tranches AS (
    SELECT t.date_prevue, e.code,
           t.montant - coalesce((SELECT sum(CASE WHEN v.nature = 'versement' THEN v.montant ELSE -v.montant END)
                                 FROM financements_versement v WHERE v.tranche_id = t.id), 0) AS reste
    FROM financements_tranche t JOIN financements_convention c ON c.id = t.convention_id
    JOIN laureats_projet p ON p.id = c.projet_id JOIN territoires_region r ON r.id = p.region_id
    JOIN financements_enveloppe e ON e.id = c.enveloppe_id
    WHERE r.code = %(code)s)
SELECT json_build_object('code', r.code, 'nom', r.nom) AS region,
    (SELECT json_agg({_CHIFFRES} ORDER BY code)
     FROM (SELECT code, sum(alloue) AS alloue, sum(engage) AS engage, sum(verse) AS verse FROM alloc GROUP BY code) t
    ) AS enveloppes,
    (SELECT count(*) FROM laureats_projet p WHERE p.region_id = r.id) AS nb_projets,
    (SELECT coalesce(json_agg(json_build_object('slug', slug, 'titre', titre, 'enveloppes', chiffres)
                              ORDER BY ordre, titre), '[]')
     FROM (SELECT pg.slug, pg.titre, pg.ordre, json_agg({_CHIFFRES} ORDER BY a.plafond) AS chiffres
           FROM page pg JOIN alloc a ON a.projet_id = pg.id GROUP BY pg.id, pg.slug, pg.titre, pg.ordre) t
    ) AS projets,
    (SELECT coalesce(json_agg(json_build_object('annee', annee, 'enveloppe', code, 'engage', engage::text,
                                                'verse', verse::text) ORDER BY annee, code), '[]')
     FROM annees) AS annees,
    (SELECT coalesce(json_agg(json_build_object(
                'mois', to_char(mois, 'YYYY-MM'), 'engage_cumule', engage::text, 'verse_cumule', verse::text)
                ORDER BY mois), '[]')
     FROM (SELECT mois, sum(engage) OVER (ORDER BY mois) AS engage, sum(verse) OVER (ORDER BY mois) AS verse
           FROM mois) cumuls) AS mois,
    (SELECT coalesce(json_agg(json_build_object('enveloppe', code, 'nb', nb, 'reste', reste::text,
                                                'plus_ancienne', plus_ancienne) ORDER BY code), '[]')
     FROM (SELECT code, count(*) AS nb, sum(reste) AS reste, min(date_prevue) AS plus_ancienne
           FROM tranches WHERE date_prevue < %(jour)s AND reste > 0 GROUP BY code) x) AS retards,
    (SELECT coalesce(json_agg(json_build_object('annee', annee, 'enveloppe', code, 'reste', reste::text)
                              ORDER BY annee, code), '[]')
     FROM (SELECT least(greatest(extract(year FROM date_prevue)::int, %(annee)s), %(fin)s) AS annee, code,
                  sum(reste) AS reste
           FROM tranches WHERE reste > 0 GROUP BY 1, 2) x) AS previsions
FROM territoires_region r WHERE r.code = %(code)s
"""  # noqa: S608

# --- GET /api/v1/mesures/?indicateur=<code> -----------------------------------------------
# What the public reads: the indicator's validated measurements, newest submission
# first, first page (20), with the total for `count`.
MESURES_SQL = """
SELECT m.uid::text AS uid, %(base)s || m.uid::text || '/' AS url, i.code AS indicateur, m.date,
       m.valeur::text AS valeur, m.source, m.statut, m.commentaire, NULL AS auteur, m.soumise_le,
       m.decision_le, m.demo,
       count(*) OVER () AS total
FROM indicateurs_mesure m JOIN indicateurs_indicateur i ON i.id = m.indicateur_id
WHERE i.code = %(code)s AND m.statut = 'validee'
ORDER BY m.soumise_le DESC, m.id DESC
LIMIT %(limite)s
"""

# --- GET /api/v1/mesures/?page_size=100 -------------------------------------------------------
# What the public reads without a filter: the newest validated measurements of every
# indicator, a page of 100, with the number of validated measurements for `count`.
MESURES_PAGE_SQL = """
SELECT m.uid::text AS uid, %(base)s || m.uid::text || '/' AS url, i.code AS indicateur, m.date,
       m.valeur::text AS valeur, m.source, m.statut, m.commentaire, NULL AS auteur, m.soumise_le,
       m.decision_le, m.demo,
       (SELECT count(*) FROM indicateurs_mesure WHERE statut = 'validee') AS total
FROM indicateurs_mesure m JOIN indicateurs_indicateur i ON i.id = m.indicateur_id
WHERE m.statut = 'validee'
ORDER BY m.soumise_le DESC, m.id DESC
LIMIT %(limite)s
"""

# --- GET / (HTML, anonymous) -------------------------------------------------------------------
# Up to ACCUEIL_LAUREATS_MAX laureates the home page lists them by region; above, each region
# with its number of projects (and the sums the page's figures add up) and a link.
ACCUEIL_REGIONS_SQL = """
SELECT r.code, r.nom, count(p.id) AS nb_projets, sum(p.population_concernee) AS population,
       sum(p.nb_partenaires_declares) AS partenaires, sum(p.nb_collectivites_declarees) AS collectivites,
       sum(p.budget_previsionnel)::text AS budget
FROM territoires_region r JOIN laureats_projet p ON p.region_id = r.id
GROUP BY r.id ORDER BY r.nom
"""
ACCUEIL_LAUREATS_SQL = """
SELECT p.slug, p.titre, r.code AS region_code, r.nom AS region_nom
FROM laureats_projet p JOIN territoires_region r ON r.id = p.region_id
ORDER BY r.nom, p.ordre
"""

# --- GET /projets/?page_size=100 (HTML) ---------------------------------------------------------
# The rows of the page: title, themes, region, lead, people, both allocations, and the total.
PAGE_PROJETS_SQL = """
SELECT p.slug, p.titre,
    (SELECT coalesce(json_agg(t.libelle ORDER BY pt.ordre), '[]')
     FROM laureats_projetthematique pt JOIN territoires_thematique t ON t.id = pt.thematique_id
     WHERE pt.projet_id = p.id) AS thematiques,
    r.nom AS region, o.nom AS chef_de_file, p.population_concernee,
    (SELECT a.montant::text FROM financements_allocation a JOIN financements_enveloppe e ON e.id = a.enveloppe_id
     WHERE a.projet_id = p.id AND e.code = 'subvention') AS subvention_prevue,
    (SELECT a.montant::text FROM financements_allocation a JOIN financements_enveloppe e ON e.id = a.enveloppe_id
     WHERE a.projet_id = p.id AND e.code = 'investissement') AS investissement_potentiel,
    (SELECT count(*) FROM laureats_projet) AS total
FROM laureats_projet p
JOIN territoires_region r ON r.id = p.region_id
JOIN laureats_organisation o ON o.id = p.chef_de_file_id
ORDER BY p.ordre, p.id
LIMIT %(limite)s
"""


def curseur(connexion):
    """A cursor on the raw psycopg2 connection whose json columns orjson decodes."""
    cur = connexion.cursor()
    psycopg2.extras.register_default_json(cur, loads=orjson.loads)
    return cur


def _lignes(cur, sql: str, params: dict) -> list[dict]:
    cur.execute(sql, params)
    noms = [c.name for c in cur.description]
    return [dict(zip(noms, ligne, strict=True)) for ligne in cur.fetchall()]


def _page(lignes: list[dict]) -> bytes:
    total = lignes[0].pop("total") if lignes else 0
    for ligne in lignes[1:]:
        del ligne["total"]
    return orjson.dumps({"count": total, "next": None, "previous": None, "results": lignes})


def projets(cur, *, limite: int = 100) -> bytes:
    return _page(_lignes(cur, PROJETS_SQL, {"base": "http://testserver/api/v1/projets/", "limite": limite}))


def projet(cur, *, slug: str) -> bytes:
    return orjson.dumps(_lignes(cur, PROJET_SQL, {"base": "http://testserver/api/v1/projets/", "slug": slug})[0])


def enveloppes(cur) -> bytes:
    lignes = _lignes(cur, ENVELOPPES_SQL, {})
    return orjson.dumps({"count": len(lignes), "next": None, "previous": None, "results": lignes})


def projets_sync(cur, *, depuis: str = "2000-01-01", limite: int = 100) -> bytes:
    lignes = _lignes(
        cur, PROJETS_SYNC_SQL, {"base": "http://testserver/api/v1/projets/", "depuis": depuis, "limite": limite}
    )
    return orjson.dumps({"next": None, "previous": None, "results": lignes})


def region(cur, *, code: str) -> bytes:
    return orjson.dumps(_lignes(cur, REGION_SQL, {"code": code})[0])


def tableau(cur, *, code: str, limite: int = 50, jour: datetime.date | None = None) -> bytes:
    jour = jour or datetime.date.today()
    params = {"code": code, "limite": limite, "jour": jour, "annee": jour.year, "fin": max(2030, jour.year)}
    return orjson.dumps(_lignes(cur, TABLEAU_SQL, params)[0])


def mesures(cur, *, code: str, limite: int = 20) -> bytes:
    base = "http://testserver/api/v1/mesures/"
    return _page(_lignes(cur, MESURES_SQL, {"base": base, "code": code, "limite": limite}))


def mesures_page(cur, *, limite: int = 100) -> bytes:
    return _page(_lignes(cur, MESURES_PAGE_SQL, {"base": "http://testserver/api/v1/mesures/", "limite": limite}))


def accueil(cur, *, par_region: bool) -> bytes:
    """The home page's rows: the regions and their counts above the threshold, every laureate below."""
    return orjson.dumps(_lignes(cur, ACCUEIL_REGIONS_SQL if par_region else ACCUEIL_LAUREATS_SQL, {}))


def page_projets(cur, *, limite: int = 100) -> bytes:
    return _page(_lignes(cur, PAGE_PROJETS_SQL, {"limite": limite}))


def evaluation(cur, *, date) -> int:
    """What the evaluation has to read, at least: per indicator, its first and latest validated measurements.

    The evaluation's own GROUP BY (sql.RELEVES_VALIDES) over every indicator, with the same
    tie-breaks (decision date, then id); the evaluation adds the rules and the writes.
    """
    from indicateurs.evaluation import sql

    cur.execute(sql.RELEVES_VALIDES, sql.entrees_parametres(date=date))
    return len(cur.fetchall())
