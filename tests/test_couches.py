"""The apps depend in one direction, and config's plumbing on none of them (import-linter, pyproject.toml)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

from importlinter.api import read_configuration

import config

RACINE = Path(__file__).resolve().parent.parent
COUCHES = "Les applications dépendent dans un seul sens"
PLOMBERIE = "La plomberie de config n'importe aucune application"
# config's composition root: it wires every app in, so it alone may import them.
RACINE_DE_COMPOSITION = {"urls", "api_router", "settings", "celery", "wsgi", "asgi"}


def _lint(configuration: Path) -> subprocess.CompletedProcess:
    """`lint-imports` as CI runs it, from the project's root (where the apps are importable)."""
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         str(configuration), "--no-cache", "--no-logo"],
        cwd=RACINE, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _variante(tmp_path: Path, avant: str, apres: str) -> Path:
    """pyproject.toml with one line of its import-linter contracts changed."""
    texte = (RACINE / "pyproject.toml").read_text()
    assert texte.count(avant) == 1
    chemin = tmp_path / "pyproject.toml"
    chemin.write_text(texte.replace(avant, apres))
    return chemin


def test_lint_imports_keeps_both_contracts():
    resultat = _lint(RACINE / "pyproject.toml")

    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert f"{COUCHES} KEPT" in resultat.stdout and f"{PLOMBERIE} KEPT" in resultat.stdout


def test_the_layers_contract_breaks_when_a_lower_app_imports_a_higher_one(tmp_path):
    # Swapped, financements sits below laureats: its imports of laureats now go upward.
    couches = _variante(tmp_path, '"financements", "laureats", "comptes"', '"laureats", "financements", "comptes"')

    resultat = _lint(couches)

    assert resultat.returncode == 1
    assert f"{COUCHES} BROKEN" in resultat.stdout and f"{PLOMBERIE} KEPT" in resultat.stdout
    assert "financements is not allowed to import laureats" in resultat.stdout


def test_the_plumbing_contract_breaks_when_a_plumbing_module_imports_an_app(tmp_path):
    # config.urls imports the apps: counted as plumbing, it breaks the contract.
    plomberie = _variante(tmp_path, '    "config.saisie",\n', '    "config.saisie",\n    "config.urls",\n')

    resultat = _lint(plomberie)

    assert resultat.returncode == 1
    assert f"{COUCHES} KEPT" in resultat.stdout and f"{PLOMBERIE} BROKEN" in resultat.stdout
    assert "config.urls is not allowed to import" in resultat.stdout


def test_every_config_module_is_either_plumbing_under_contract_or_the_composition_root():
    contrats = read_configuration(str(RACINE / "pyproject.toml"))["contracts_options"]
    sources = next(c for c in contrats if c["name"] == PLOMBERIE)["source_modules"]
    plomberie = {m.removeprefix("config.") for m in sources}
    modules = {m.name for m in pkgutil.iter_modules(config.__path__)}

    assert plomberie.isdisjoint(RACINE_DE_COMPOSITION)
    assert modules == plomberie | RACINE_DE_COMPOSITION
