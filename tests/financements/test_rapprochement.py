"""Every total the portal shows equals a recomputation from the ledger rows by one SQL GROUP BY.

Hypothesis writes random ledgers through the services (commitments, releases,
disbursements, cancellations over both envelopes, several projects, regions,
years and months), then reads the API, the HTML dashboards, the home page, the
project page and the CSV/XLSX exports, and compares each figure with what
PostgreSQL computes from the rows with GROUPING SETS, outside the code under test;
the ledger page and its exports must list exactly the entries a filter selects.
"""

import datetime
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financements.models import Enveloppe
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte
from tests.financements.exports_lus import rows_of

pytestmark = pytest.mark.django_db

DEBUT = datetime.date(2019, 9, 13)  # the laureates were named that day: no entry before it
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Six laureates in five regions (one overseas), so every level has several groups.
POOL = ["biovallee", "valence-romans-start-ups-de-territoire", "terres-de-sources", "vilagil", "sesame",
        "nouvelle-caledonie"]  # fmt: skip
REGIONS = {"biovallee": "84", "valence-romans-start-ups-de-territoire": "84", "terres-de-sources": "53",
           "vilagil": "76", "sesame": "11", "nouvelle-caledonie": "988"}  # fmt: skip
ENVELOPPES = ["subvention", "investissement"]

# One GROUP BY over the ledger's rows, every level at once; nothing from the code under test.
SQL_GRAND_LIVRE = """
WITH lignes AS (
    SELECT e.projet_id, e.enveloppe_id, e.date,
           CASE WHEN e.nature = 'engagement' THEN e.montant ELSE -e.montant END AS engage,
           0::numeric AS verse
      FROM financements_engagement e
    UNION ALL
    SELECT e.projet_id, e.enveloppe_id, v.date, 0::numeric,
           CASE WHEN v.nature = 'versement' THEN v.montant ELSE -v.montant END
      FROM financements_versement v JOIN financements_engagement e ON e.id = v.engagement_id
)
SELECT GROUPING(env.code, r.code, p.slug, EXTRACT(YEAR FROM l.date), to_char(l.date, 'YYYY-MM')),
       env.code, r.code, p.slug, EXTRACT(YEAR FROM l.date)::int, to_char(l.date, 'YYYY-MM'),
       SUM(l.engage), SUM(l.verse)
  FROM lignes l
  JOIN financements_enveloppe env ON env.id = l.enveloppe_id
  JOIN laureats_projet p ON p.id = l.projet_id
  JOIN territoires_region r ON r.id = p.region_id
 GROUP BY GROUPING SETS (
    (env.code), (env.code, r.code), (env.code, p.slug),
    (env.code, EXTRACT(YEAR FROM l.date)), (env.code, r.code, EXTRACT(YEAR FROM l.date)),
    (to_char(l.date, 'YYYY-MM')), (r.code, to_char(l.date, 'YYYY-MM')), (p.slug, to_char(l.date, 'YYYY-MM'))
 )
"""
# Per convention: its net commitment, and what its disbursements paid net (the project page's list).
SQL_CONVENTIONS = """
SELECT c.uid,
       (SELECT COALESCE(SUM(CASE WHEN e.nature = 'engagement' THEN e.montant ELSE -e.montant END), 0)
          FROM financements_engagement e WHERE e.convention_id = c.id),
       (SELECT COALESCE(SUM(CASE WHEN v.nature = 'versement' THEN v.montant ELSE -v.montant END), 0)
          FROM financements_versement v JOIN financements_engagement e ON e.id = v.engagement_id
         WHERE e.convention_id = c.id)
  FROM financements_convention c
"""

SQL_ALLOCATIONS = """
SELECT GROUPING(env.code, r.code, p.slug), env.code, r.code, p.slug, SUM(a.montant), MAX(env.plafond)
  FROM financements_allocation a
  JOIN financements_enveloppe env ON env.id = a.enveloppe_id
  JOIN laureats_projet p ON p.id = a.projet_id
  JOIN territoires_region r ON r.id = p.region_id
 GROUP BY GROUPING SETS ((env.code), (env.code, r.code), (env.code, p.slug))
"""
SQL_ECRITURES = """
SELECT e.uid::text, e.montant, env.code, r.code, p.slug, e.nature, e.date FROM financements_engagement e
  JOIN financements_enveloppe env ON env.id = e.enveloppe_id
  JOIN laureats_projet p ON p.id = e.projet_id JOIN territoires_region r ON r.id = p.region_id
UNION ALL
SELECT v.uid::text, v.montant, env.code, r.code, p.slug, v.nature, v.date FROM financements_versement v
  JOIN financements_engagement e ON e.id = v.engagement_id
  JOIN financements_enveloppe env ON env.id = e.enveloppe_id
  JOIN laureats_projet p ON p.id = e.projet_id JOIN territoires_region r ON r.id = p.region_id
"""


def rate(numerateur: Decimal, denominateur: Decimal) -> Decimal | None:
    """In %, two decimals, half up: how a rate is written in French public accounts."""
    if not denominateur:
        return None
    return (numerateur * 100 / denominateur).quantize(CENT, rounding=ROUND_HALF_UP)


def attendu() -> dict[str, Decimal | None]:
    """Every figure the portal shows, keyed as the pages' data-chiffre attributes name them."""
    with connection.cursor() as cursor:
        cursor.execute(SQL_GRAND_LIVRE)
        grand_livre = cursor.fetchall()
        cursor.execute(SQL_ALLOCATIONS)
        allocations = cursor.fetchall()
        cursor.execute(SQL_CONVENTIONS)
        conventions = cursor.fetchall()
    # GROUPING bits, left to right: envelope, region, project, year, month (1 = not grouped by it).
    ledger: dict[tuple, tuple[Decimal, Decimal]] = {}
    for bits, env, region, slug, annee, mois, engage, verse in grand_livre:
        cle = {0b01111: ("programme", env), 0b00111: ("region", region, env), 0b01011: ("projet", slug, env),
               0b01101: ("annee", env, annee), 0b00101: ("annee-region", region, env, annee),
               0b11110: ("mois",), 0b10110: ("mois-region", region), 0b11010: ("mois-projet", slug)}[bits]  # fmt: skip
        if cle[0].startswith("mois"):
            ledger[(*cle, mois)] = (engage, verse)
        else:
            ledger[cle] = (engage, verse)
    chiffres: dict[str, Decimal | None] = {}

    def figures(prefixe: str, alloue: Decimal, engage: Decimal, verse: Decimal, base: Decimal) -> None:
        chiffres.update({
            f"{prefixe}/alloue": alloue, f"{prefixe}/engage": engage, f"{prefixe}/verse": verse,
            f"{prefixe}/reste_a_engager": base - engage, f"{prefixe}/reste_a_verser": engage - verse,
            f"{prefixe}/taux_engagement": rate(engage, base), f"{prefixe}/taux_versement": rate(verse, engage),
        })  # fmt: skip

    for bits, env, region, slug, alloue, plafond in allocations:
        if bits == 0b011:
            engage, verse = ledger.get(("programme", env), (ZERO, ZERO))
            figures(f"enveloppe/{env}", alloue, engage, verse, plafond)
            chiffres[f"enveloppe/{env}/plafond"] = plafond
            chiffres[f"enveloppe/{env}/depassement_allocations"] = max(alloue - plafond, ZERO)
        elif bits == 0b001:
            engage, verse = ledger.get(("region", region, env), (ZERO, ZERO))
            figures(f"region/{region}/{env}", alloue, engage, verse, alloue)
        else:
            engage, verse = ledger.get(("projet", slug, env), (ZERO, ZERO))
            figures(f"projet/{slug}/{env}", alloue, engage, verse, alloue)
    for cle, (engage, verse) in ledger.items():
        if cle[0] == "annee":
            chiffres[f"annee/{cle[2]}/{cle[1]}/engage"], chiffres[f"annee/{cle[2]}/{cle[1]}/verse"] = engage, verse
        elif cle[0] == "annee-region":
            region, env, annee = cle[1:]
            chiffres[f"annee-region/{region}/{annee}/{env}/engage"] = engage
            chiffres[f"annee-region/{region}/{annee}/{env}/verse"] = verse
    for niveau, *groupe in {cle[:-1] for cle in ledger if cle[0].startswith("mois")}:
        cumul_e = cumul_v = ZERO
        for cle in sorted(c for c in ledger if c[:-1] == (niveau, *groupe)):
            engage, verse = ledger[cle]
            cumul_e, cumul_v = cumul_e + engage, cumul_v + verse
            prefixe = "/".join([niveau, *groupe, cle[-1]])
            chiffres.update({f"{prefixe}/engage": engage, f"{prefixe}/verse": verse,
                             f"{prefixe}/cumul_engage": cumul_e, f"{prefixe}/cumul_verse": cumul_v})  # fmt: skip
    for cle in ("plafond", "alloue", "engage", "verse"):
        chiffres[f"total/{cle}"] = sum(chiffres[f"enveloppe/{env}/{cle}"] for env in ENVELOPPES)
    for uid, montant, verse in conventions:
        chiffres.update({f"convention/{uid}/montant": montant, f"convention/{uid}/verse": verse,
                         f"convention/{uid}/reste": montant - verse})  # fmt: skip
    return chiffres


class Chiffres(HTMLParser):
    """The data-chiffre / data-valeur pairs of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.valeurs: dict[str, Decimal | None] = {}
        self.uids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-chiffre" in attrs:
            cle = attrs["data-chiffre"]
            assert cle not in self.valeurs, f"{cle} apparaît deux fois"
            self.valeurs[cle] = Decimal(attrs["data-valeur"]) if attrs["data-valeur"] else None
        if "data-uid" in attrs:
            self.uids.add(attrs["data-uid"])


def manquants(vus: dict, attendus: dict, ou: str, motif: str) -> list[str]:
    """Figures the ledger gives at this level that the page does not show (a test must not pass on an empty page)."""
    return [
        f"{ou} {cle}: absent de la page"
        for cle in attendus
        if re.fullmatch(motif, cle) and cle not in vus and attendus[cle] is not None
    ]


def page(client: Client, url: str) -> Chiffres:
    response = client.get(url)
    assert response.status_code == 200, url
    return Chiffres(response.content.decode())


def euros(texte: str) -> Decimal:
    # XLSX gives numbers back as floats: their shortest repr is the decimal that was written.
    return Decimal(texte).quantize(CENT)


# The schedules' figures (a tranche's rest, overdue total, planned and paid per year, forecast) are
# recomputed from the tranches and their payments by tests/financements/test_echeanciers.py and
# test_tableau_echeanciers.py; this test recomputes the ledger's.
ECHEANCIERS = re.compile(r"(tranche|retards|echeancier|prevision)/")


def ecarts(vus: dict[str, Decimal | None], attendus: dict[str, Decimal | None], ou: str, prefixe: str) -> list[str]:
    """Where the page disagrees with the ledger: a figure shown and not recomputed, or different."""
    return [
        f"{ou} {cle}: affiché {valeur}, grand livre {attendus.get(prefixe + cle, 'absent')}"
        for cle, valeur in vus.items()
        if not ECHEANCIERS.match(cle) and attendus.get(prefixe + cle, "absent") != valeur
    ]


operation = st.tuples(
    st.sampled_from(["engagement", "desengagement", "versement", "annulation"]),
    st.integers(0, len(POOL) - 1),
    st.sampled_from(ENVELOPPES),
    st.integers(1, 250_000_000),  # cents: up to 2.5 M€ for a commitment
    st.integers(0, (datetime.date.today() - DEBUT).days),
    st.integers(0, 1000),  # which earlier entry a release, payment or cancellation applies to
)
filtre = st.one_of(
    st.just({}),
    st.builds(lambda env: {"enveloppe": env}, st.sampled_from(ENVELOPPES)),
    st.builds(lambda slug: {"projet": slug}, st.sampled_from(POOL)),
    st.builds(lambda slug: {"region": REGIONS[slug]}, st.sampled_from(POOL)),
    st.builds(
        lambda env, slug: {"enveloppe": env, "region": REGIONS[slug]},
        st.sampled_from(ENVELOPPES),
        st.sampled_from(POOL),
    ),
    st.builds(
        lambda nature, jours, duree: {
            "nature": nature,
            "date_min": (DEBUT + datetime.timedelta(days=jours)).isoformat(),
            "date_max": (DEBUT + datetime.timedelta(days=jours + duree)).isoformat(),
        },
        st.sampled_from(["engagement", "desengagement", "versement", "annulation"]),
        st.integers(0, 2000),
        st.integers(0, 800),
    ),
)


def ecrire(operations: list[tuple]) -> None:
    """Apply the operations through the services, keeping only entries the rules allow."""
    projets = {p.slug: p for p in Projet.objects.filter(slug__in=POOL)}
    enveloppes = {e.code: e for e in Enveloppe.objects.all()}
    engagements: list[list] = []  # [entry, amount left to release or pay]
    versements: list[list] = []  # [entry, amount left to cancel]
    for n, (nature, i, code, centimes, jours, cible) in enumerate(operations):
        date = DEBUT + datetime.timedelta(days=jours)
        part = Decimal(centimes % 100 + 1) / 100  # 1 % to 100 % of what is left
        reference = f"H-{n}"
        if nature == "engagement":
            try:
                engagement = services.engagement_create(
                    projet=projets[POOL[i]], enveloppe=enveloppes[code], montant=Decimal(centimes) / 100,
                    date=date, reference=reference, motif="Convention", by=None,
                    justification_depassement="Tour de table élargi",
                )  # fmt: skip
            except services.PlafondDepasse:
                continue
            engagements.append([engagement, engagement.montant])
        elif nature in ("desengagement", "versement") and engagements:
            ligne = engagements[cible % len(engagements)]
            engagement, reste = ligne
            montant = (reste * part).quantize(CENT, rounding=ROUND_DOWN)
            if montant <= 0:
                continue
            date = max(date, engagement.date)
            if nature == "desengagement":
                services.desengagement_create(
                    engagement=engagement, montant=montant, date=date, reference=reference, motif="Abandon",
                    by=None,
                )  # fmt: skip
            else:
                versement = services.versement_create(
                    engagement=engagement, montant=montant, date=date, reference=reference, by=None
                )
                versements.append([versement, montant, ligne])
            ligne[1] -= montant
        elif nature == "annulation" and versements:
            ligne = versements[cible % len(versements)]
            versement, reste, ligne_engagement = ligne
            montant = (reste * part).quantize(CENT, rounding=ROUND_DOWN)
            if montant <= 0:
                continue
            services.versement_cancel(
                versement=versement, montant=montant, date=max(date, versement.date), reference=reference,
                motif="Trop-perçu", by=None,
            )  # fmt: skip
            ligne[1] -= montant
            ligne_engagement[1] += montant


@pytest.fixture
def clients(postgresql) -> tuple[Client, Client]:
    charge = Client()
    charge.force_login(compte("charge"))
    return charge, Client(HTTP_ACCEPT="application/json")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operations=st.lists(operation, min_size=1, max_size=12),
    region_slug=st.sampled_from(POOL),
    projet_slug=st.sampled_from(POOL),
    filtres=filtre,
)
def test_every_total_the_portal_shows_equals_the_ledger_recomputed_in_sql(
    clients, operations, region_slug, projet_slug, filtres
):
    charge, anonyme = clients
    region = REGIONS[region_slug]
    with transaction.atomic():
        ecrire(operations)
        chiffres = attendu()
        erreurs: list[str] = []

        # The programme: home page, dashboard, API.
        accueil = page(anonyme, "/").valeurs
        erreurs += ecarts(accueil, chiffres, "accueil", "")
        erreurs += manquants(
            accueil, chiffres, "accueil", r"(enveloppe/[a-z]+/(alloue|engage|verse|reste_a_\w+|plafond)|total/.*)"
        )
        tableau = page(charge, "/financements/").valeurs
        erreurs += ecarts(tableau, chiffres, "/financements/", "")
        erreurs += manquants(
            tableau,
            chiffres,
            "/financements/",
            r"(enveloppe|annee|mois)/.*|projet/.*/(alloue|engage|verse|reste_a_\w+)",
        )
        for env in charge.get("/api/v1/enveloppes/").json()["results"]:
            vus = {f"{env['code']}/{cle}": None if env[champ] is None else Decimal(env[champ])
                   for cle, champ in (("plafond", "plafond"), ("alloue", "total_alloue"), ("engage", "engage"),
                                      ("verse", "verse"), ("reste_a_engager", "reste_a_engager"),
                                      ("reste_a_verser", "reste_a_verser"), ("taux_engagement", "taux_engagement"),
                                      ("taux_versement", "taux_versement"),
                                      ("depassement_allocations", "depassement_allocations"))}  # fmt: skip
            erreurs += ecarts({f"enveloppe/{k}": v for k, v in vus.items()}, chiffres, "API enveloppes", "")

        # A region: dashboard and API, whose projects and years must match too.
        tableau_region = page(charge, f"/financements/regions/{region}/").valeurs
        regionaux = {
            k if k.endswith("/plafond") else k.replace("enveloppe/", f"region/{region}/", 1)
            .replace("annee/", f"annee-region/{region}/", 1).replace("mois/", f"mois-region/{region}/", 1): v
            for k, v in tableau_region.items()
        }  # fmt: skip
        erreurs += ecarts(regionaux, chiffres, f"/financements/regions/{region}/", "")
        erreurs += manquants(regionaux, chiffres, f"/financements/regions/{region}/",
                             rf"region/{region}/.*|(annee|mois)-region/{region}/.*")  # fmt: skip
        donnees = charge.get(f"/api/v1/regions/{region}/financements/").json()
        vus = {}
        for env in donnees["enveloppes"]:
            vus.update(api_chiffres(f"region/{region}/{env['code']}", env))
        for projet in donnees["projets"]:
            for env in projet["enveloppes"]:
                vus.update(api_chiffres(f"projet/{projet['slug']}/{env['code']}", env))
        for a in donnees["annees"]:
            vus[f"annee-region/{region}/{a['annee']}/{a['enveloppe']}/engage"] = Decimal(a["engage"])
            vus[f"annee-region/{region}/{a['annee']}/{a['enveloppe']}/verse"] = Decimal(a["verse"])
        erreurs += ecarts(vus, chiffres, "API région", "")

        # A project: its page (figures and months) and the API's fiche amounts.
        projet_page = {
            k.replace("mois/", f"mois-projet/{projet_slug}/", 1): v
            for k, v in page(charge, f"/projets/{projet_slug}/").valeurs.items()
        }
        erreurs += ecarts(projet_page, chiffres, f"/projets/{projet_slug}/", "")
        erreurs += manquants(
            projet_page,
            chiffres,
            f"/projets/{projet_slug}/",
            rf"mois-projet/{projet_slug}/.*|projet/{projet_slug}/[a-z]+/(alloue|engage|verse|reste_a_\w+)",
        )
        fiche = anonyme.get(f"/api/v1/projets/{projet_slug}/").json()
        erreurs += ecarts(
            {f"projet/{projet_slug}/subvention/alloue": Decimal(fiche["subvention_prevue"]),
             f"projet/{projet_slug}/investissement/alloue": Decimal(fiche["investissement_potentiel"])},
            chiffres, "API projet", "",
        )  # fmt: skip

        # The dashboard's exports, parsed back: every project's figures and rates.
        slugs = dict(Projet.objects.values_list("titre", "slug"))
        colonnes = ["alloue", "engage", "verse", "reste_a_engager", "reste_a_verser", "taux_engagement",
                    "taux_versement"]  # fmt: skip
        for url in ("/financements/?export=csv", f"/financements/regions/{region}/?export=xlsx"):
            vus = {}
            for row in rows_of(charge.get(url))[1:]:
                for nom, valeur in zip(colonnes, row[3:10], strict=True):
                    vus[f"projet/{slugs[row[0]]}/{row[2]}/{nom}"] = euros(valeur) if valeur else None
            erreurs += ecarts(vus, chiffres, url, "")

        # The ledger export gives exactly the entries the filter selects, with their exact amounts.
        with connection.cursor() as cursor:
            cursor.execute(SQL_ECRITURES)
            voulues = {
                (uid, montant)
                for uid, montant, env, reg, slug, nature, date in cursor.fetchall()
                if filtres.get("enveloppe", env) == env
                and filtres.get("region", reg) == reg
                and filtres.get("projet", slug) == slug
                and filtres.get("nature", nature) == nature
                and filtres.get("date_min", "0000") <= date.isoformat() <= filtres.get("date_max", "9999")
            }
        affichees = page(charge, f"/financements/grand-livre/?{urlencode(filtres)}").uids
        if affichees != {uid for uid, _ in voulues}:
            erreurs.append(f"grand livre {filtres}: {len(affichees)} écritures affichées, {len(voulues)} attendues")
        for format_ in ("csv", "xlsx"):
            rows = rows_of(charge.get("/financements/grand-livre/", {**filtres, "export": format_}))
            montant = rows[0].index("Montant (€)")
            exportees = {(row[0], euros(row[montant])) for row in rows[1:]}
            if exportees != voulues:
                erreurs.append(f"export {format_} {filtres}: {len(exportees)} écritures, {len(voulues)} attendues")

        assert not erreurs, "\n".join(erreurs)
        transaction.set_rollback(True)


def api_chiffres(prefixe: str, env: dict) -> dict:
    return {
        f"{prefixe}/{cle}": None if env[cle] is None else Decimal(env[cle])
        for cle in (
            "alloue",
            "engage",
            "verse",
            "reste_a_engager",
            "reste_a_verser",
            "taux_engagement",
            "taux_versement",
        )  # fmt: skip
    }
