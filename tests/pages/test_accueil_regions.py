"""The public home lists every laureate up to ACCUEIL_LAUREATS_MAX; beyond, each region's number of laureates.

The counts and amounts by region are recomputed here from the projects and their allocations.
"""

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client

from financements.models import Allocation
from laureats.models import Projet
from laureats.templatetags.montants import millions
from territoires.models import Region
from tests.factories import ProjetFactory

pytestmark = pytest.mark.django_db

LIEN_PROJET = re.compile(r'href="/projets/([a-z0-9-]+)/"')
LAUREATS = re.compile(
    r'<th scope="row"><a href="/projets/\?region=(\w+)">[^<]+</a></th>\s*<td[^>]*data-laureats="(\d+)"'
)


def _lignes(html: str) -> dict[str, int]:
    """Each row of the regions' table: the region's code (from its link) and its number of laureates."""
    return {code: int(n) for code, n in LAUREATS.findall(html)}


def _attendu() -> dict[str, int]:
    return dict(Counter(Projet.objects.values_list("region__code", flat=True)))


def test_below_the_threshold_every_laureate_is_linked_region_by_region(settings):
    settings.ACCUEIL_LAUREATS_MAX = 60
    html = Client().get("/").content.decode()

    assert set(LIEN_PROJET.findall(html)) >= set(Projet.objects.values_list("slug", flat=True))
    assert _lignes(html) == _attendu() and sum(_attendu().values()) == 24
    assert 'id="laureats-par-region"' not in html


def test_above_the_threshold_the_home_gives_each_region_s_count_and_links_to_its_list(settings):
    settings.ACCUEIL_LAUREATS_MAX = 30
    ProjetFactory.create_batch(10, region=Region.objects.get(code="84"))
    html = Client().get("/").content.decode()

    # No link to a project in the regions' table (the latest changes, a list of eight, may name some).
    tableau = html[html.index('<caption id="legende-regions">') : html.index("</table>", html.index("legende-regions"))]
    assert not LIEN_PROJET.search(tableau)
    assert _lignes(html) == _attendu() and _attendu()["84"] == 13
    for code in _attendu():
        assert f'href="/projets/?region={code}"' in tableau
    assert "Les 34 lauréats sont trop nombreux pour être tous listés ici" in html
    # Amounts by region: the fiches' allocations of its projects, written as the page writes them.
    subventions = Allocation.objects.filter(projet__region__code="84", enveloppe__code="subvention")
    total = sum((a.montant for a in subventions), Decimal(0))
    ligne = tableau[tableau.index('href="/projets/?region=84"') :]
    assert re.search(r'data-laureats="13">13 lauréats</td>\s*<td class="ti-montant">([^<]+)</td>', ligne).group(
        1
    ) == millions(total)
