"""Measure the portal on the bench databases, print one table and a oui/NON verdict for every target.

    .venv/bin/python bench/mesurer.py                       # ti_bench_24 and ti_bench_10k (~5 min)
    .venv/bin/python bench/mesurer.py --bases ti_bench_10k --points api_projets html_tableau --sans-debit
    .venv/bin/python bench/mesurer.py --repetitions 5 --echauffement 1 --debit-duree 3   # a quick try

For each base (built by bench/construire.py), in a child process of its own
(Django's settings are per process):

1. Each endpoint of CAS through the full Django stack (middleware, authentication,
   DRF or templates) with django.test.Client on bench.reglages (the production
   settings, DEBUG off): `--echauffement` unmeasured requests, then one counted
   with CaptureQueriesContext, then `--repetitions` timed requests (fewer once
   `--budget` seconds are spent, at least 5) → median and p95 server time. In turn
   with each request, so that all see the same load: its floor (bench/planchers.py:
   the same rows by one raw SQL query encoded with orjson), the stack's fixed cost
   (an anonymous request the API refuses, 401, before any query) and, for the API,
   the same GET with `If-None-Match: <its ETag>` (a 304 expected).
   Server-time target by kind: a page of rows ≤ 2 × its floor; a small response ≤ its
   floor + 3 × the fixed cost. The process is set up as config/wsgi.py sets up a
   gunicorn worker.
2. The evaluation of every indicator (indicateurs.services.evaluation_run, what
   `manage.py evaluer_indicateurs` and the Celery task run) on today's date, as the
   first run of the day (today's evaluations are deleted and the table vacuumed
   before each run), with INDICATEURS_CONNEXIONS ranges side by side (the
   settings' default) and on one connection, and its floor: one SQL GROUP BY over
   the validated measurements.

Then, in this process, on the largest base (`--debit-base`), the throughput of the
project and measurement lists: gunicorn with 2 sync workers serving the portal
(config.wsgi) and, with the same command line, the floor server
(bench/serveur_plancher.py); wrk loads each in turn (`--debit-tours` alternated runs of
`--debit-duree` seconds, 4 connections; installed with apt-get if missing); the median
of the runs is kept. Target: the portal ≥ half the floor server's requests per second.

Across bases: the cost growth (median at the largest base / at the smallest, ≤ 1.5 ×
unless the response itself grows) and the number of queries (the same at 24 and at
10 000 projects).

The table is printed and written to bench/resultats/ (Markdown and JSON; `--sortie`).
The machine is shared: the load average is printed before and after each part.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

SERVEUR = "postgres://postgres@127.0.0.1:5432"
RESULTATS = RACINE / "bench" / "resultats"
REGION = "84"  # Auvergne-Rhône-Alpes: real laureates, and ~1/19 of the synthetic ones

# The two kinds of endpoint, each with its server-time target:
PAGE = "page"  # a page of rows: median ≤ RATIO_MAX × the floor's median
PETITE = "petite"  # a small response: median ≤ the floor's median + COUTS_FIXES × the fixed cost (a 401)
RATIO_MAX = 2.0
COUTS_FIXES = 3
CROISSANCE_MAX = 1.5  # median at the largest base / median at the smallest
RATIO_304_MAX = 0.5  # a 304 costs at most half the 200 it spares
DEBIT_MIN = 0.5  # the portal's throughput ≥ half the floor server's
P95_MAX_MS = 100.0


class Cas(NamedTuple):
    cle: str
    libelle: str
    genre: str  # PAGE or PETITE
    croissante: bool = False  # the response itself grows with the programme: no growth target
    p95: bool = False  # target p95 < 100 ms


CAS = [
    Cas("api_projets", "GET /api/v1/projets/?page_size=100", PAGE, p95=True),
    Cas("api_projets_sync", "GET /api/v1/projets/?updated_since=2000-01-01&page_size=100", PAGE),
    Cas("api_projet", "GET /api/v1/projets/{slug}/", PETITE),
    Cas("api_enveloppes", "GET /api/v1/enveloppes/", PETITE),
    # Every project of the region, with both envelopes: ~1/19 of the programme.
    Cas("api_region", "GET /api/v1/regions/84/financements/ (jeton chargé·e)", PAGE, croissante=True),
    Cas("api_mesures", "GET /api/v1/mesures/?indicateur={code}", PAGE),
    Cas("api_mesures_page", "GET /api/v1/mesures/?page_size=100", PAGE),
    Cas("html_accueil", "GET / (HTML, anonyme)", PETITE),
    Cas("html_projets", "GET /projets/?page_size=100 (HTML)", PAGE, p95=True),
    Cas("html_tableau", "GET /financements/regions/84/?page=1 (HTML, directeur·rice)", PAGE, p95=True),
]
PAR_CLE = {cas.cle: cas for cas in CAS}
GENRES = {PAGE: "page de lignes", PETITE: "petite réponse"}
# Throughput: the portal and the floor server (bench/serveur_plancher.py) on the same URLs.
DEBIT_CHEMINS = ["/api/v1/projets/?page_size=100", "/api/v1/mesures/?page_size=100"]


def entier(n: int) -> str:
    """10000 -> "10 000"."""
    return f"{n:,}".replace(",", "\u202f")


def charge() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(valeurs: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordonnees = sorted(valeurs)
    rang = max(1, -(-len(ordonnees) * p // 100))
    return ordonnees[int(rang) - 1]


def resume(secondes: list[float]) -> dict:
    ms = [s * 1000 for s in secondes]
    return {"mediane": statistics.median(ms), "p95": percentile(ms, 95), "n": len(ms)}


def chronometrer(*fonctions, repetitions: int, budget: float | None = None, minimum: int = 5) -> list[list[float]]:
    """Times of each function, called in turn: the endpoint and its floor see the same load.

    With a budget (seconds), stops early once it is spent, after at least `minimum` rounds:
    a page that takes seconds (a bug being measured) does not hold the whole run.
    """
    temps = [[] for _ in fonctions]
    debut_total = time.perf_counter()
    for n in range(repetitions):
        if budget is not None and n >= minimum and time.perf_counter() - debut_total > budget:
            break
        for fonction, liste in zip(fonctions, temps, strict=True):
            debut = time.perf_counter()
            fonction()
            liste.append(time.perf_counter() - debut)
    return temps


# --- One base, in a child process ---------------------------------------------------------------


def _compte(username: str, role: str, *args: str) -> tuple:
    """The user and a fresh API token, through `creer_compte --jeton` the first time."""
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from comptes.services import jeton_create

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        sortie = io.StringIO()
        call_command("creer_compte", username, "--role", role, *args, "--jeton", stdout=sortie)
        return get_user_model().objects.get(username=username), sortie.getvalue().strip().splitlines()[-1]
    _, jeton = jeton_create(user=user, nom=f"bench-{time.time_ns()}")
    return user, jeton


def mesurer_une_base(
    base: str,
    repetitions: int,
    echauffement: int,
    evaluations: int,
    voir_requetes: bool,
    points: list[str],
    budget: float | None = None,
) -> dict:
    os.environ["DATABASE_URL"] = f"{SERVEUR}/{base}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.reglages"
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # As a gunicorn worker starts: django.setup(), then what config/wsgi.py does to the process.
    import config.wsgi  # noqa: F401
    from bench import planchers
    from indicateurs.models import Indicateur
    from laureats.models import Projet

    nb_projets = Projet.objects.count()
    slug = Projet.objects.order_by("ordre", "pk").values_list("slug", flat=True)[nb_projets // 2]
    nb_indicateurs = Indicateur.objects.count()
    code = Indicateur.objects.order_by("pk").values_list("code", flat=True)[nb_indicateurs // 2]
    _, jeton = _compte("bench-charge", "charge")
    directeur, _ = _compte("bench-directeur", "directeur", "--region", REGION)
    # Above this many laureates the home page shows the regions instead of every laureate
    # (24 when the setting does not exist yet: the real programme stays listed).
    seuil_accueil = getattr(settings, "ACCUEIL_LAUREATS_MAX", 24)
    accueil_par_region = nb_projets > seuil_accueil

    anonyme = Client()
    avec_jeton = Client(HTTP_AUTHORIZATION=f"Token {jeton}")
    connecte = Client()
    connecte.force_login(directeur)
    connection.ensure_connection()
    cur = planchers.curseur(connection.connection)

    requetes = {
        "api_projets": (anonyme, "/api/v1/projets/?page_size=100", lambda: planchers.projets(cur)),
        "api_projets_sync": (
            anonyme, "/api/v1/projets/?updated_since=2000-01-01&page_size=100", lambda: planchers.projets_sync(cur),
        ),
        "api_projet": (anonyme, f"/api/v1/projets/{slug}/", lambda: planchers.projet(cur, slug=slug)),
        "api_enveloppes": (anonyme, "/api/v1/enveloppes/", lambda: planchers.enveloppes(cur)),
        "api_region": (
            avec_jeton, f"/api/v1/regions/{REGION}/financements/", lambda: planchers.region(cur, code=REGION),
        ),
        "api_mesures": (anonyme, f"/api/v1/mesures/?indicateur={code}", lambda: planchers.mesures(cur, code=code)),
        "api_mesures_page": (anonyme, "/api/v1/mesures/?page_size=100", lambda: planchers.mesures_page(cur)),
        "html_accueil": (anonyme, "/", lambda: planchers.accueil(cur, par_region=accueil_par_region)),
        "html_projets": (anonyme, "/projets/?page_size=100", lambda: planchers.page_projets(cur)),
        "html_tableau": (
            connecte, f"/financements/regions/{REGION}/?page=1", lambda: planchers.tableau(cur, code=REGION),
        ),
    }  # fmt: skip
    resultats = {
        "base": base,
        "projets": nb_projets,
        "indicateurs": nb_indicateurs,
        "accueil_par_region": accueil_par_region,
        "charge_debut": charge(),
    }
    # The stack's fixed cost: middleware, DRF's authentication and permission, a JSON error, no query.
    # Timed in turn with each endpoint too (same load), and once on its own below.
    url_refus = f"/api/v1/regions/{REGION}/financements/"

    def refus():
        if anonyme.get(url_refus).status_code != 401:
            raise RuntimeError(f"{url_refus} sans jeton : 401 attendu")

    mesures = {}
    for cle, (client, url, plancher) in requetes.items():
        if cle not in points:
            continue

        def get(client=client, url=url):
            reponse = client.get(url)
            if reponse.status_code != 200:
                raise RuntimeError(f"{url} : {reponse.status_code} {reponse.content[:300]!r}")
            return reponse

        # The warm-up within a quarter of the budget too (at least one round).
        chronometrer(get, plancher, refus, repetitions=echauffement, budget=budget and budget / 4, minimum=1)
        with CaptureQueriesContext(connection) as capture:
            reponse = get()
        # The log is cleared by the next request: count now.
        nb_requetes = len(capture)
        if voir_requetes:
            print(f"\n--- {base} {url} : {len(capture)} requêtes", file=sys.stderr)
            for q in capture.captured_queries:
                print(f"  [{q['time']}] {q['sql'][:400]}", file=sys.stderr)
        fonctions = [get, plancher, refus]
        # Conditional GET: the response's ETag sent back, a 304 expected, timed in turn with the 200.
        conditionnel = None
        if cle.startswith("api_"):
            etag = reponse.headers.get("ETag")
            conditionnel = {"etag": etag}
            if etag:
                statuts = set()

                def get_304(client=client, url=url, etag=etag, statuts=statuts):
                    statuts.add(client.get(url, HTTP_IF_NONE_MATCH=etag).status_code)

                chronometrer(get_304, repetitions=echauffement, budget=budget and budget / 4, minimum=1)
                fonctions.append(get_304)
        temps = chronometrer(*fonctions, repetitions=repetitions, budget=budget)
        serveur, sol, fixe = temps[:3]
        mesures[cle] = {
            "url": url,
            "requetes": nb_requetes,
            "octets": len(reponse.content),
            "octets_plancher": len(plancher()),
            "serveur": resume(serveur),
            "plancher": resume(sol),
            "cout_fixe": resume(fixe),
            "ratio": statistics.median(serveur) / statistics.median(sol),
        }
        if conditionnel is not None:
            if conditionnel["etag"]:
                conditionnel["statuts"] = sorted(statuts)
                conditionnel["304"] = resume(temps[3])
                conditionnel["ratio"] = statistics.median(temps[3]) / statistics.median(serveur)
            mesures[cle]["conditionnel"] = conditionnel
        print(
            f"  {base} {url}: {mesures[cle]['serveur']['mediane']:.1f} ms ({mesures[cle]['serveur']['n']} fois)",
            file=sys.stderr, flush=True,
        )  # fmt: skip
    resultats["points"] = mesures
    for _ in range(echauffement):
        refus()
    (fixe,) = chronometrer(refus, repetitions=repetitions)
    resultats["cout_fixe"] = resume(fixe)
    resultats["charge_points"] = charge()
    if evaluations:
        resultats["evaluation"] = mesurer_evaluation(cur, evaluations)
    resultats["charge_fin"] = charge()
    return resultats


def mesurer_evaluation(cur, repetitions: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone

    from bench import planchers
    from indicateurs import services
    from indicateurs.models import Evaluation

    jour = timezone.localdate()
    if not Evaluation.objects.filter(date__lt=jour).exists():
        # Yesterday's run, so that today's compares with a previous status as every day does.
        services.evaluation_run(date=jour - datetime.timedelta(days=1))

    def effacer_le_jour():
        with connection.cursor() as c:
            c.execute("DELETE FROM indicateurs_changementstatut WHERE date = %s", [jour])
            c.execute("DELETE FROM indicateurs_evaluation WHERE date = %s", [jour])
            # What autovacuum does between two daily runs (it may be off on a test machine):
            # without it each measured run would insert into a table full of dead rows.
            c.execute("VACUUM ANALYZE indicateurs_changementstatut, indicateurs_evaluation")

    def passage(connexions: int) -> float:
        effacer_le_jour()
        with override_settings(INDICATEURS_CONNEXIONS=connexions):
            debut = time.perf_counter()
            services.evaluation_run(date=jour)
            return time.perf_counter() - debut

    connexions = settings.INDICATEURS_CONNEXIONS
    planchers.evaluation(cur, date=jour)  # warm-up: the measurements in the cache
    temps, une_connexion, sol = [], [], []
    for _ in range(repetitions):
        temps.append(passage(connexions))
        une_connexion.append(passage(1))
        debut = time.perf_counter()
        planchers.evaluation(cur, date=jour)
        sol.append(time.perf_counter() - debut)
    effacer_le_jour()
    rapport = services.evaluation_run(date=jour)
    # A second run on the same date (beat and a manual command): it rewrites the same values.
    debut = time.perf_counter()
    services.evaluation_run(date=jour)
    relance = time.perf_counter() - debut
    return {
        "indicateurs": rapport.nb_indicateurs,
        "changements": rapport.nb_changements,
        "statuts": dict(rapport.par_statut),
        "secondes": statistics.median(temps),
        "essais": temps,
        "relance_meme_date": relance,
        "connexions": connexions,
        "une_connexion": statistics.median(une_connexion),
        "essais_une_connexion": une_connexion,
        "plancher": statistics.median(sol),
        "essais_plancher": sol,
        "ratio": statistics.median(temps) / statistics.median(sol),
        "ratio_une_connexion": statistics.median(une_connexion) / statistics.median(sol),
    }


# --- Throughput: gunicorn + wrk -----------------------------------------------------------------


def wrk_disponible() -> str:
    chemin = shutil.which("wrk")
    if chemin is None:
        print("wrk absent : apt-get install -y wrk", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)  # noqa: S607
        chemin = shutil.which("wrk")
        if chemin is None:
            subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)  # noqa: S607
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)  # noqa: S607
            chemin = shutil.which("wrk")
    return chemin


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ms(texte: str) -> float:
    valeur, unite = re.match(r"([\d.]+)(us|ms|s)", texte).groups()
    return float(valeur) * {"us": 0.001, "ms": 1, "s": 1000}[unite]


APPLICATIONS = {"portail": "config.wsgi:application", "plancher": "bench.serveur_plancher:application"}


def demarrer(application: str, base: str) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 sync workers on a free port, the same command line whatever the application."""
    port = port_libre()
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVEUR}/{base}",
        "DJANGO_SETTINGS_MODULE": "bench.reglages",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or os.urandom(24).hex(),  # the same in both workers
        "PYTHONPATH": str(RACINE),
    }
    gunicorn = [
        str(RACINE / ".venv" / "bin" / "gunicorn"), application, "--workers", "2",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(RACINE),
    ]  # fmt: skip
    serveur = subprocess.Popen(gunicorn, env=env)  # noqa: S603
    limite = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/enveloppes/", timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return serveur, port
        except OSError:
            if time.monotonic() > limite or serveur.poll() is not None:
                arreter(serveur)
                raise RuntimeError(f"gunicorn ({application}) ne répond pas") from None
            time.sleep(0.5)


def arreter(serveur: subprocess.Popen) -> None:
    serveur.terminate()
    try:
        serveur.wait(timeout=30)
    except subprocess.TimeoutExpired:
        serveur.kill()
        serveur.wait()


def charger(wrk: str, url: str, duree: int, connexions: int) -> dict:
    """One wrk run; its requests per second and latencies."""
    sortie = subprocess.run(  # noqa: S603
        [wrk, "-t2", f"-c{connexions}", f"-d{duree}s", "--timeout", "30s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", sortie)
    erreurs = re.search(r"Socket errors: (.*)", sortie)
    latences = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", sortie, re.MULTILINE))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", sortie).group(1)),
        "requetes": int(re.search(r"(\d+) requests in", sortie).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "erreurs_socket": erreurs.group(1).strip() if erreurs else "",
        "latence_p50_ms": _ms(latences["50"]),
        "latence_p99_ms": _ms(latences["99"]),
    }


def debit(base: str, chemins: list[str], duree: int, connexions: int, tours: int) -> dict:
    """The portal's and the floor server's throughput on each path, in alternated runs.

    Both servers run side by side (the idle one costs nothing); each round loads the
    portal, then the floor server, for `duree` seconds each, so that a change of load on the
    shared machine hits both alike. The median of the rounds is kept.
    """
    wrk = wrk_disponible()
    resultats = {"charge_debut": charge(), "connexions": connexions, "duree": duree, "tours": tours, "chemins": {}}
    serveurs = {}
    try:
        for nom, application in APPLICATIONS.items():
            serveurs[nom] = demarrer(application, base)
        for chemin in chemins:
            essais = {nom: [] for nom in serveurs}
            octets = {}
            for nom, (_, port) in serveurs.items():
                url = f"http://127.0.0.1:{port}{chemin}"
                with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310
                    octets[nom] = len(r.read())
                # Warm-up: both workers' first requests (imports, templates, connections).
                subprocess.run(  # noqa: S603
                    [wrk, "-t2", f"-c{connexions}", "-d3s", "--timeout", "30s", url], check=True, capture_output=True
                )
            for _ in range(tours):
                for nom, (_, port) in serveurs.items():
                    essais[nom].append(charger(wrk, f"http://127.0.0.1:{port}{chemin}", duree, connexions))
            ligne = {"octets": octets}
            for nom, runs in essais.items():
                ligne[nom] = {
                    "rps": statistics.median(r["rps"] for r in runs),
                    "essais": runs,
                    "latence_p50_ms": statistics.median(r["latence_p50_ms"] for r in runs),
                    "latence_p99_ms": statistics.median(r["latence_p99_ms"] for r in runs),
                    "non_2xx": sum(r["non_2xx"] for r in runs),
                    "erreurs_socket": "; ".join(r["erreurs_socket"] for r in runs if r["erreurs_socket"]),
                }
            ligne["ratio"] = ligne["portail"]["rps"] / ligne["plancher"]["rps"]
            resultats["chemins"][chemin] = ligne
            print(
                f"  {base} {chemin}: portail {ligne['portail']['rps']:.1f} req/s, "
                f"plancher {ligne['plancher']['rps']:.1f} req/s",
                file=sys.stderr, flush=True,
            )  # fmt: skip
    finally:
        for serveur, _ in serveurs.values():
            arreter(serveur)
    resultats["charge_fin"] = charge()
    return resultats


# --- The report ---------------------------------------------------------------------------------


def machine() -> dict:
    import psycopg2

    cpu = "?"
    for ligne in Path("/proc/cpuinfo").read_text().splitlines():
        if ligne.startswith("model name"):
            cpu = ligne.split(":", 1)[1].strip()
            break
    memoire = next(
        (
            int(ligne.split()[1])
            for ligne in Path("/proc/meminfo").read_text().splitlines()
            if ligne.startswith("MemTotal")
        ),
        0,
    )
    conn = psycopg2.connect(f"{SERVEUR}/postgres")
    with conn.cursor() as c:
        c.execute(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'), current_setting('work_mem')"
        )
        pg, shared_buffers, work_mem = c.fetchone()
    conn.close()
    import django

    return {
        "cpu": cpu,
        "coeurs": os.cpu_count(),
        "memoire_gio": round(memoire / 1024 / 1024, 1),
        "systeme": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": f"{pg} (shared_buffers {shared_buffers}, work_mem {work_mem})",
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def oui(atteinte: bool) -> str:
    return "oui" if atteinte else "NON"


def nom_base(resultats: dict, base: str) -> str:
    return f"{entier(resultats['bases'][base]['projets'])} projets"


def cible_temps(point: dict, cas: Cas) -> tuple[float, str]:
    """The server-time bound of this endpoint (ms) and how it is computed."""
    plancher = point["plancher"]["mediane"]
    if cas.genre == PAGE:
        return RATIO_MAX * plancher, f"≤ {RATIO_MAX:g} × plancher"
    fixe = point["cout_fixe"]["mediane"]
    return plancher + COUTS_FIXES * fixe, f"≤ plancher + {COUTS_FIXES} × coût fixe ({fixe:.2f})"


def temps_atteint(point: dict, cas: Cas) -> bool:
    return point["serveur"]["mediane"] <= cible_temps(point, cas)[0]


def extremes(resultats: dict, bases: list[str]) -> tuple[str, str] | None:
    """The smallest and the largest base measured (by number of projects), if two differ."""
    if len(bases) < 2:
        return None
    par_taille = sorted(bases, key=lambda b: resultats["bases"][b]["projets"])
    petite, grande = par_taille[0], par_taille[-1]
    if resultats["bases"][petite]["projets"] == resultats["bases"][grande]["projets"]:
        return None
    return petite, grande


def croissances(resultats: dict, bases: list[str]) -> list[dict]:
    """Per endpoint measured on both: median at the largest base / median at the smallest."""
    paire = extremes(resultats, bases)
    if paire is None:
        return []
    petite, grande = paire
    lignes = []
    for cas in CAS:
        points = [resultats["bases"][b]["points"].get(cas.cle) for b in paire]
        if None in points:
            continue
        ratio = points[1]["serveur"]["mediane"] / points[0]["serveur"]["mediane"]
        lignes.append({
            "cas": cas, "petite": points[0]["serveur"]["mediane"], "grande": points[1]["serveur"]["mediane"],
            "ratio": ratio, "atteinte": None if cas.croissante else ratio <= CROISSANCE_MAX,
        })  # fmt: skip
    return lignes


def conditionnel_atteint(c: dict) -> bool:
    return bool(c.get("etag")) and c.get("statuts") == [304] and c["ratio"] <= RATIO_304_MAX


def tableau(resultats: dict, bases: list[str]) -> str:
    m = resultats["machine"]
    lignes = [
        f"Machine : {m['cpu']}, {m['coeurs']} cœurs, {m['memoire_gio']} Gio ; {m['systeme']} ; "
        f"Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']} ; {m['date']}.",
        f"Charge moyenne (1 / 5 / 15 min) : début {resultats['charge_debut']}, fin {resultats['charge_fin']}.",
        "",
        "Coût fixe d'une requête d'API sans requête SQL (GET anonyme refusé, 401) : "
        + " ; ".join(
            f"{nom_base(resultats, b)} : médiane {resultats['bases'][b]['cout_fixe']['mediane']:.2f} ms"
            for b in bases
            if "cout_fixe" in resultats["bases"][b]
        )
        + ".",
        "",
        "Temps serveur. Page de lignes : médiane ≤ 2 × celle du plancher ; petite réponse : médiane ≤ celle du "
        "plancher + 3 × le coût fixe (le 401 chronométré en alternance avec le point, même passage). "
        "n : requêtes chronométrées (moins que --repetitions quand le point dépasse --budget).",
        "",
        "| point d'accès | genre | base | médiane (ms) | p95 (ms) | n | requêtes | plancher médiane / p95 (ms) "
        "| ratio | cible (ms) | atteinte | taille / plancher (Ko) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for cas in CAS:
        for base in bases:
            p = resultats["bases"][base]["points"].get(cas.cle)
            if p is None:
                continue
            borne, regle = cible_temps(p, cas)
            lignes.append(
                f"| {cas.libelle} | {GENRES[cas.genre]} | {nom_base(resultats, base)} "
                f"| {p['serveur']['mediane']:.1f} | {p['serveur']['p95']:.1f} | {p['serveur']['n']} | {p['requetes']} "
                f"| {p['plancher']['mediane']:.1f} / {p['plancher']['p95']:.1f} | {p['ratio']:.2f} "
                f"| {regle} = {borne:.1f} | {oui(temps_atteint(p, cas))} "
                f"| {p['octets'] / 1024:.0f} / {p['octets_plancher'] / 1024:.0f} |"
            )
    lignes_croissance = croissances(resultats, bases)
    if lignes_croissance:
        petite, grande = extremes(resultats, bases)
        lignes += [
            "",
            f"Croissance du coût : médiane à {nom_base(resultats, grande)} / médiane à {nom_base(resultats, petite)}, "
            f"cible ≤ {CROISSANCE_MAX:g} ×, sauf les points dont la réponse elle-même grandit.",
            "",
            f"| point d'accès | {nom_base(resultats, petite)} (ms) | {nom_base(resultats, grande)} (ms) | ratio "
            "| atteinte |",
            "|---|---:|---:|---:|---|",
        ]
        for c in lignes_croissance:
            verdict = "réponse croissante (non jugé)" if c["atteinte"] is None else oui(c["atteinte"])
            lignes.append(
                f"| {c['cas'].libelle} | {c['petite']:.1f} | {c['grande']:.1f} | {c['ratio']:.2f} | {verdict} |"
            )
    conditionnels = [
        (cas, base, resultats["bases"][base]["points"][cas.cle]["conditionnel"])
        for cas in CAS
        for base in bases
        if "conditionnel" in resultats["bases"][base]["points"].get(cas.cle, {})
    ]
    if conditionnels:
        lignes += [
            "",
            f"GET conditionnel : la réponse renvoyée avec `If-None-Match: <ETag>` doit être un 304 qui coûte au "
            f"plus {RATIO_304_MAX:g} × le 200 (chronométrés en alternance).",
            "",
            "| point d'accès | base | médiane 200 (ms) | médiane 304 (ms) | ratio | atteinte |",
            "|---|---|---:|---:|---:|---|",
        ]
        for cas, base, c in conditionnels:
            p = resultats["bases"][base]["points"][cas.cle]
            debut = f"| {cas.libelle} | {nom_base(resultats, base)} | {p['serveur']['mediane']:.1f} "
            if not c.get("etag"):
                lignes.append(debut + "| pas d'ETag | – | NON |")
            elif c["statuts"] != [304]:
                statuts = ", ".join(map(str, c["statuts"]))
                lignes.append(debut + f"| {c['304']['mediane']:.1f} (statut {statuts}, pas 304) | – | NON |")
            else:
                lignes.append(
                    debut + f"| {c['304']['mediane']:.1f} | {c['ratio']:.2f} | {oui(conditionnel_atteint(c))} |"
                )
    if any("evaluation" in resultats["bases"][b] for b in bases):
        lignes += [
            "",
            "| évaluation de tous les indicateurs | base | indicateurs | durée (s) | sur une connexion (s) "
            "| plancher GROUP BY (s) | ratio (sur une connexion) | relance même date (s) |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for base in bases:
            e = resultats["bases"][base].get("evaluation")
            if e:
                lignes.append(
                    f"| evaluation_run, {e['connexions']} connexions (premier passage du jour, médiane de "
                    f"{len(e['essais'])}) | {nom_base(resultats, base)} "
                    f"| {entier(e['indicateurs'])} | {e['secondes']:.2f} | {e['une_connexion']:.2f} "
                    f"| {e['plancher']:.2f} | {e['ratio']:.2f} ({e['ratio_une_connexion']:.2f}) "
                    f"| {e['relance_meme_date']:.2f} |"
                )
    for base, d in (resultats.get("debit") or {}).items():
        lignes += [
            "",
            f"Débit à {nom_base(resultats, base)} : gunicorn, 2 workers synchrones, la même ligne de commande pour "
            f"le portail et le serveur plancher (bench/serveur_plancher.py) ; wrk 2 fils × {d['connexions']} "
            f"connexions × {d['duree']} s, {d['tours']} tours alternés portail, plancher ; médiane des tours. "
            f"Cible : portail ≥ {DEBIT_MIN:g} × plancher. Charge {d['charge_debut']} → {d['charge_fin']}.",
            "",
            "| chemin | serveur | req/s (médiane) | essais (req/s) | latence p50 / p99 (ms) "
            "| erreurs (non-2xx ; socket) | taille (Ko) |",
            "|---|---|---:|---|---:|---|---:|",
        ]
        for chemin, ligne in d["chemins"].items():
            for nom in ("portail", "plancher"):
                v = ligne[nom]
                essais = ", ".join(f"{r['rps']:.0f}" for r in v["essais"])
                lignes.append(
                    f"| GET {chemin} | {nom} | {v['rps']:.1f} | {essais} "
                    f"| {v['latence_p50_ms']:.0f} / {v['latence_p99_ms']:.0f} "
                    f"| {v['non_2xx']} ; {v['erreurs_socket'] or '0'} | {ligne['octets'][nom] / 1024:.0f} |"
                )
    lignes += ["", *verdicts(resultats, bases)]
    return "\n".join(lignes)


def verdicts(resultats: dict, bases: list[str]) -> list[str]:
    """One line per target, each with its oui/NON."""
    sortie = ["Cibles :"]
    points = {b: resultats["bases"][b]["points"] for b in bases}
    for base, d in (resultats.get("debit") or {}).items():
        for chemin, ligne in d["chemins"].items():
            sortie.append(
                f"- débit GET {chemin} à {nom_base(resultats, base)} ≥ {DEBIT_MIN:g} × plancher : "
                f"{oui(ligne['ratio'] >= DEBIT_MIN)} ({ligne['portail']['rps']:.1f} / "
                f"{ligne['plancher']['rps']:.1f} req/s = {ligne['ratio']:.2f})"
            )
    for cas in CAS:
        mesurees = [b for b in bases if cas.cle in points[b]]
        if not mesurees:
            continue
        regle = f"≤ {RATIO_MAX:g} × plancher" if cas.genre == PAGE else f"≤ plancher + {COUTS_FIXES} × coût fixe"
        par_base = " ; ".join(
            f"{nom_base(resultats, b)} : {oui(temps_atteint(points[b][cas.cle], cas))} "
            f"({points[b][cas.cle]['serveur']['mediane']:.1f} ms, cible {cible_temps(points[b][cas.cle], cas)[0]:.1f})"
            for b in mesurees
        )
        sortie.append(f"- temps serveur {cas.libelle} ({GENRES[cas.genre]}, {regle}) : {par_base}")
    for cas in CAS:
        mesurees = [b for b in bases if cas.p95 and cas.cle in points[b]]
        if mesurees:
            p95, base = max((points[b][cas.cle]["serveur"]["p95"], b) for b in mesurees)
            sortie.append(
                f"- p95 < {P95_MAX_MS:g} ms ({cas.libelle}) : {oui(p95 < P95_MAX_MS)} "
                f"(pire p95 {p95:.1f} ms, à {nom_base(resultats, base)})"
            )
    for cas in CAS:
        for base in bases:
            c = points[base].get(cas.cle, {}).get("conditionnel")
            if c is None:
                continue
            if not c.get("etag"):
                detail = "pas d'ETag"
            elif c["statuts"] != [304]:
                detail = "statut " + ", ".join(map(str, c["statuts"])) + " au lieu de 304"
            else:
                detail = f"{c['304']['mediane']:.1f} / {points[base][cas.cle]['serveur']['mediane']:.1f} ms"
            sortie.append(
                f"- 304 ≤ {RATIO_304_MAX:g} × 200, {cas.libelle} à {nom_base(resultats, base)} : "
                f"{oui(conditionnel_atteint(c))} ({detail})"
            )
    for c in croissances(resultats, bases):
        if c["atteinte"] is None:
            sortie.append(f"- croissance {c['cas'].libelle} : réponse croissante, non jugée ({c['ratio']:.2f} ×)")
        else:
            sortie.append(
                f"- croissance ≤ {CROISSANCE_MAX:g} × {c['cas'].libelle} : {oui(c['atteinte'])} ({c['ratio']:.2f} ×)"
            )
    communs = [cas.cle for cas in CAS if all(cas.cle in points[b] for b in bases)]
    if len(bases) > 1 and communs:
        ecarts = [
            f"{cle} ({', '.join(str(points[b][cle]['requetes']) for b in bases)})"
            for cle in communs
            if len({points[b][cle]["requetes"] for b in bases}) > 1
        ]
        sortie.append(
            "- requêtes identiques à 24 et à 10 000 projets : "
            + ("oui" if not ecarts else "NON : " + ", ".join(ecarts))
        )
    # The target is the evaluation over the million measurements: the largest base. With
    # 101 indicators both sides take milliseconds and the ratio only compares fixed costs
    # (a transaction's commit against a read-only query); it is printed, not judged.
    evaluees = [b for b in bases if "evaluation" in resultats["bases"][b]]
    if evaluees:
        base = max(evaluees, key=lambda b: resultats["bases"][b]["evaluation"]["indicateurs"])
        e = resultats["bases"][base]["evaluation"]
        sortie.append(
            f"- évaluation ≤ 3 × le plancher, sur {entier(e['indicateurs'])} indicateurs : "
            f"{oui(e['ratio'] <= 3)} ({e['ratio']:.2f} ; sur une seule connexion : "
            f"{e['ratio_une_connexion']:.2f})"
        )
    return sortie


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", nargs="+", default=["ti_bench_24", "ti_bench_10k"])
    parser.add_argument("--repetitions", type=int, default=50)
    parser.add_argument("--echauffement", type=int, default=5)
    parser.add_argument(
        "--budget", type=float, default=20.0,
        help="Secondes au plus par point d'accès et par base (au moins 5 répétitions).",
    )  # fmt: skip
    parser.add_argument("--evaluations", type=int, default=3, help="Passages d'évaluation mesurés (0 : aucun).")
    parser.add_argument("--debit-duree", type=int, default=10, help="Secondes de charge par essai (wrk).")
    parser.add_argument("--debit-connexions", type=int, default=4)
    parser.add_argument("--debit-tours", type=int, default=3, help="Essais alternés portail, plancher par chemin.")
    parser.add_argument(
        "--debit-base", help="Base du débit (défaut : la dernière de --bases, la plus grande par défaut)."
    )
    parser.add_argument(
        "--debit-chemins", nargs="+", default=DEBIT_CHEMINS, choices=sorted(serveur_plancher_routes()),
        help="Chemins chargés.",
    )  # fmt: skip
    parser.add_argument("--sans-debit", action="store_true")
    parser.add_argument("--requetes", action="store_true", help="Affiche le SQL de chaque point d'accès.")
    parser.add_argument(
        "--points", nargs="*", default=[cas.cle for cas in CAS], choices=[cas.cle for cas in CAS],
        help="Points d'accès mesurés (tous par défaut ; aucun avec --points seul).",
    )  # fmt: skip
    parser.add_argument(
        "--sortie", type=Path, default=RESULTATS / "derniere_mesure",
        help="Fichiers écrits : <sortie>.md et <sortie>.json (défaut : bench/resultats/derniere_mesure).",
    )  # fmt: skip
    parser.add_argument("--une-base", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.une_base:
        resultats = mesurer_une_base(
            args.une_base, args.repetitions, args.echauffement, args.evaluations, args.requetes, args.points,
            args.budget,
        )  # fmt: skip
        args.json.write_text(json.dumps(resultats, indent=2))
        return

    debut = time.monotonic()
    resultats = {"machine": machine(), "charge_debut": charge(), "bases": {}, "debit": {}}
    print(f"Charge au départ : {resultats['charge_debut']}", file=sys.stderr)
    for base in args.bases:
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--une-base", base, "--json", f.name,
                 "--repetitions", str(args.repetitions), "--echauffement", str(args.echauffement),
                 "--budget", str(args.budget), "--evaluations", str(args.evaluations),
                 *(["--requetes"] if args.requetes else []), "--points", *args.points],
                check=True,
            )  # fmt: skip
            resultats["bases"][base] = json.loads(Path(f.name).read_text())
    if not args.sans_debit:
        base = args.debit_base or args.bases[-1]
        if base not in resultats["bases"]:
            parser.error("--debit-base : une des --bases")
        resultats["debit"][base] = debit(
            base, args.debit_chemins, args.debit_duree, args.debit_connexions, args.debit_tours
        )
    resultats["charge_fin"] = charge()
    resultats["duree_s"] = round(time.monotonic() - debut)
    texte = tableau(resultats, args.bases)
    print("\n" + texte)
    print(f"\n(mesuré en {resultats['duree_s']} s)", file=sys.stderr)
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.with_suffix(".md").write_text(texte + "\n")
    args.sortie.with_suffix(".json").write_text(json.dumps(resultats, indent=2) + "\n")


def serveur_plancher_routes() -> list[str]:
    """The paths the floor server answers (bench/serveur_plancher.py), but the readiness probe."""
    from bench import serveur_plancher

    return [chemin for chemin in serveur_plancher.ROUTES if chemin != "/api/v1/enveloppes/"]


if __name__ == "__main__":
    main()
