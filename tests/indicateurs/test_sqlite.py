"""The embedded default of `make demarrer` is SQLite: the loader, the evaluation and the demo data work there too.

The suite runs on PostgreSQL; this test runs the commands in subprocesses on a
fresh SQLite file, as `scripts/demarrer.sh` does.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def _manage(*args: str, env: dict) -> str:
    resultat = subprocess.run(
        [sys.executable, "manage.py", *args, "-v", "1"],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    return resultat.stdout


def test_loading_evaluating_and_demo_data_work_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    _manage("migrate", "--no-input", env=env)
    assert "écriture(s)" in _manage("charger_laureats", env=env)
    assert "rien à changer" in _manage("charger_laureats", env=env)

    premiere = _manage("evaluer_indicateurs", "--date", "2025-06-30", "--sans-barre", env=env)
    assert "101 indicateur(s) évalué(s) au 30/06/2025" in premiere
    assert "101 indicateur(s) évalué(s)" in _manage("evaluer_indicateurs", "--date", "2025-06-30", env=env)

    # Search ignores accents there too (config/recherche.py registers UNACCENT on SQLite).
    compter = "from laureats.models import Projet; from laureats.selectors import projet_search; "
    sans, avec = (
        _manage(
            "shell", "-c", f"{compter}print(projet_search(Projet.objects.all(), {mot!r}).count())", env=env
        ).split()[-1]  # the shell first says what it imported
        for mot in ("metropole", "Métropole")
    )
    assert int(sans) == int(avec) > 0

    # The API's fast read path, its sync's keyset pages and its ETags (config/synchro.py,
    # config/conditionnel.py, laureats/selectors.py) run there too.
    lire = (
        "from django.test import Client; c = Client(HTTP_HOST='127.0.0.1'); "
        "r = c.get('/api/v1/projets/?page_size=100'); e = r['ETag']; "
        "s = c.get('/api/v1/projets/?updated_since=2000-01-01&page_size=10').json(); "
        "m = c.get('/api/v1/mesures/?updated_since=2000-01-01'); "
        "print(r.status_code, len(r.json()['results']), len(s['results']), s['next'] is not None, m.status_code, "
        "c.get('/api/v1/projets/?page_size=100', HTTP_IF_NONE_MATCH=e).status_code, "
        "r.json()['results'][0]['thematiques'] != [], c.get('/api/v1/projets/biovallee/').status_code)"
    )
    attendu = ["200", "24", "10", "True", "200", "304", "True", "200"]
    assert _manage("shell", "-c", lire, env=env).split()[-8:] == attendu

    assert "mesure(s)" in _manage("generer_demo", env=env)
    assert "supprimé(s)" in _manage("generer_demo", "--supprimer", env=env)
    assert "déjà planifiée" not in _manage("planifier_taches", env=env)
