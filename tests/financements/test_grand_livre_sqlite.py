"""A director's own regions come first on the embedded SQLite of `make demarrer` too.

own_regions_first sorts on a key, 0 for the director's regions and 1 for the
others. Were the others' key missing (NULL), PostgreSQL, where the suite runs,
would still sort them last (NULLS LAST is its default for an ascending sort),
but SQLite sorts NULL first. So the same read runs here on PostgreSQL, then in
a subprocess on a fresh SQLite file, as tests/indicateurs/test_sqlite.py does
for the loader. The read in this process is also how mutmut learns that this
test covers own_regions_first: it does not see into the subprocess.
"""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from financements.models import Enveloppe
from financements.selectors import engagement_list, own_regions_first
from laureats.models import Projet
from tests import grand_livre as services


def ordre_lu() -> str:
    """Two entries of one day, Occitanie's written first: newest-first alone would put Auvergne-Rhône-Alpes first."""
    subvention = Enveloppe.objects.get(code="subvention")
    for slug, reference in (("vilagil", "OCCITANIE"), ("biovallee", "AURA")):
        services.engagement_create(
            projet=Projet.objects.get(slug=slug), enveloppe=subvention, montant=Decimal("1000.00"),
            date=datetime.date(2024, 3, 1), reference=reference, motif="Convention", by=None,
        )  # fmt: skip
    lus = own_regions_first(engagement_list(), region_codes=["76"], region_path="projet__region")
    return "ORDRE " + ",".join(e.reference for e in lus)


def _manage(*args: str, env: dict) -> str:
    resultat = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    return resultat.stdout


@pytest.mark.django_db
def test_a_director_sees_their_own_region_first_on_postgresql_and_on_sqlite(tmp_path):
    assert ordre_lu() == "ORDRE OCCITANIE,AURA"

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    _manage("migrate", "--no-input", "-v", "0", env=env)
    _manage("charger_laureats", env=env)
    lire = "from tests.financements.test_grand_livre_sqlite import ordre_lu; print(ordre_lu())"
    sortie = _manage("shell", "-c", lire, env=env)

    # The shell first says what it imported; the order is on the line the script printed.
    assert [ligne for ligne in sortie.splitlines() if ligne.startswith("ORDRE ")] == ["ORDRE OCCITANIE,AURA"]
