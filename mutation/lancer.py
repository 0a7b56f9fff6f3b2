"""`make mutation`: mutmut on the modules that compute money and statuses, then the verdict.

    python -m mutation.lancer [indicateurs/evaluation/regles.py ...] [--processus 2] [--tests tests/indicateurs ...]

1. A migrated PostgreSQL template `<base>_modele` is built once with the unmutated
   code; each pytest session of the run clones it (mutation/greffon_pytest.py).
2. mutmut runs the test suite once to learn which tests reach which function,
   then, for each mutant, only those tests, in forked processes.
3. mutation/bilan.py prints the score and fails on any survivor not listed in
   mutation/equivalents.toml.

Every run starts from an empty mutants/ folder: results kept from older code
would be counted for code that no longer exists.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from mutation.greffon_pytest import BASE, MODELE

RACINE = Path(__file__).resolve().parent.parent
MODULES = (
    "financements/selectors.py",
    "financements/services.py",
    "financements/exports.py",
    "indicateurs/evaluation/regles.py",
    # The loading, app by app: the toolkit, then each app's loader and the one that calls them.
    "config/chargement.py",
    "territoires/chargement.py",
    "laureats/chargement.py",
    "financements/chargement.py",
    "portail/chargement.py",
)
# The same server the test settings fall back to (config/settings/test.py).
URL_PAR_DEFAUT = "postgres://postgres@127.0.0.1:5432/territoires"


def base_url(*, url: str, nom: str) -> str:
    """The same server and credentials, another database."""
    parties = urlsplit(url)
    return urlunsplit(parties._replace(path=f"/{nom}"))


def bases_supprimer(*, url: str, base: str) -> None:
    """Drop the template and the databases left by mutants killed before their teardown."""
    connexion = psycopg2.connect(base_url(url=url, nom="postgres"))
    connexion.autocommit = True
    try:
        with connexion.cursor() as curseur:
            curseur.execute("SELECT datname FROM pg_database")
            noms = [nom for (nom,) in curseur.fetchall() if nom == f"{base}_modele" or nom.startswith(f"test_{base}_")]
            for nom in noms:
                curseur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
    finally:
        connexion.close()


def modele_creer(*, url: str, base: str) -> str:
    """Create and migrate the template with the unmutated code; returns its name."""
    modele = f"{base}_modele"
    bases_supprimer(url=url, base=base)
    connexion = psycopg2.connect(base_url(url=url, nom="postgres"))
    connexion.autocommit = True
    try:
        with connexion.cursor() as curseur:
            curseur.execute(f'CREATE DATABASE "{modele}"')
    finally:
        connexion.close()
    environnement = {
        **os.environ,
        "DATABASE_URL": base_url(url=url, nom=modele),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    subprocess.run(  # noqa: S603 - our own manage.py, with our own interpreter
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
        cwd=RACINE,
        env=environnement,
        check=True,
    )
    return modele


def motif_mutants(module: str) -> str:
    """mutmut names a mutant `indicateurs.evaluation.regles.x_evaluer__mutmut_3`: every mutant of the module."""
    return module.removesuffix(".py").replace("/", ".") + ".*"


def mutmut_lancer(*, modules: list[str], processus: int, tests: list[str]) -> None:
    # Imported here: mutmut reads pyproject.toml from the working directory.
    from mutmut.__main__ import _run
    from mutmut.configuration import config

    reglages = config()
    reglages.only_mutate = modules
    if tests:
        # Browser walks, the generated client and the conformance sweep cost tens of seconds to
        # minutes a mutant; the money and status rules they cross are tested directly elsewhere.
        lents = "not navigateur and not client_genere and not conformite"
        reglages.pytest_add_cli_args_test_selection = [*tests, "-m", lents]
    # Naming the mutants also limits the clean run to the tests that reach them.
    _run([motif_mutants(module) for module in modules], processus)


def main() -> int:
    parser = argparse.ArgumentParser(description="Tests de mutation des modules qui calculent montants et statuts.")
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="par défaut tous les modules")
    parser.add_argument("--processus", type=int, default=2, help="mutants testés en parallèle")
    parser.add_argument(
        "--tests", nargs="*", default=[], help="tests à lancer (défaut : tests/ sauf le navigateur, cf. pyproject)"
    )
    arguments = parser.parse_args()
    inconnus = [module for module in arguments.modules if module not in MODULES]
    if inconnus:
        parser.error(f"modules inconnus : {', '.join(inconnus)} ; modules possibles : {', '.join(MODULES)}")

    url = os.environ.get("DATABASE_URL") or URL_PAR_DEFAUT
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("les tests de mutation demandent PostgreSQL (verrous de ligne et déclencheurs des services)")
    base = os.environ.get(BASE) or "ti_mutation"

    os.chdir(RACINE)
    shutil.rmtree("mutants", ignore_errors=True)
    os.environ.update({"DATABASE_URL": url, BASE: base, MODELE: modele_creer(url=url, base=base)})
    try:
        mutmut_lancer(modules=arguments.modules, processus=arguments.processus, tests=arguments.tests)
    finally:
        bases_supprimer(url=url, base=base)
    bilan = subprocess.run([sys.executable, "-m", "mutation.bilan", *arguments.modules], cwd=RACINE)  # noqa: S603
    return bilan.returncode


if __name__ == "__main__":
    sys.exit(main())
