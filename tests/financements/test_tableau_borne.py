"""The dashboards stay bounded however many projects and tranches a region has.

The per-project table shows 50 projects a page (?page=N, as the ledger pages), with the number of
projects; the figures by envelope still cover every project of the region, and the export every row.
The overdue tranches show the oldest 20 with the number and the total of all of them. Every figure
is recomputed here from the rows, independently of the selectors.
"""

import datetime
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from financements import services
from financements.models import Allocation, Tranche
from laureats.models import Projet
from territoires.models import Region
from tests.factories import ProjetFactory, compte
from tests.financements.exports_lus import rows_of
from tests.pages.conftest import connecte

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
CHIFFRE = re.compile(r'data-chiffre="([^"]+)" data-valeur="([^"]*)"')
PROJET = re.compile(r'data-chiffre="projet/([^/"]+)/')


def chiffres(html: str) -> dict[str, Decimal]:
    return {cle: Decimal(valeur) for cle, valeur in CHIFFRE.findall(html) if valeur}


def slugs(html: str) -> list[str]:
    """The projects of the table, in their order on the page."""
    return list(dict.fromkeys(PROJET.findall(html)))


def projets_de_la_region(code: str) -> list[str]:
    """The table's projects, in its order: by region, then the programme's order, title, creation."""
    projets = Projet.objects.filter(region__code=code, allocations__isnull=False).distinct()
    return list(projets.order_by("region__nom", "ordre", "titre", "pk").values_list("slug", flat=True))


@pytest.fixture
def soixante():
    """60 more projects in Auvergne-Rhône-Alpes (84), with a fiche's allocations each."""
    region = Region.objects.get(code="84")
    return ProjetFactory.create_batch(60, region=region, ordre=100)


def test_the_region_table_shows_fifty_projects_a_page_and_the_number_of_all(soixante):
    client = connecte("directeur", regions=["84"])
    attendus = projets_de_la_region("84")
    assert len(attendus) == 63  # BIOVALLÉE, two more press-kit laureates, and the 60

    page1 = client.get("/financements/regions/84/").content.decode()
    page2 = client.get("/financements/regions/84/?page=2").content.decode()

    assert slugs(page1) == attendus[:50] and slugs(page2) == attendus[50:]
    assert '<span data-nombre="63">63</span> projets, page 1 sur 2' in page1
    assert "page 2 sur 2" in page2
    assert 'href="?page=2"' in page1 and 'href="?page=1"' in page2 and 'aria-current="page">2<' in page2


def test_the_figures_by_envelope_cover_every_project_not_the_page(soixante):
    html = connecte("directeur", regions=["84"]).get("/financements/regions/84/?page=2").content.decode()
    vus = chiffres(html)
    allocations = Allocation.objects.filter(projet__region__code="84").values_list("enveloppe__code", "montant")

    for code in ("subvention", "investissement"):
        alloue = sum((m for c, m in allocations if c == code), ZERO)
        assert vus[f"enveloppe/{code}/alloue"] == alloue
        # The page's rows are 13 projects: the figure is not their sum.
        assert alloue != sum((v for k, v in vus.items() if k.startswith("projet/") and k.endswith(f"{code}/alloue")))


def test_the_export_holds_every_project(soixante):
    rows = rows_of(connecte("charge").get("/financements/regions/84/?export=csv"))
    assert len(rows) == 1 + Allocation.objects.filter(projet__region__code="84").count()
    titres = dict(Projet.objects.filter(region__code="84").values_list("slug", "titre"))
    nombres = Counter(Allocation.objects.filter(projet__region__code="84").values_list("projet__slug", flat=True))
    # A row per allocation, the projects in the page's order (titles may repeat: compared row by row).
    assert [r[0] for r in rows[1:]] == [titres[s] for s in projets_de_la_region("84") for _ in range(nombres[s])]


@pytest.mark.parametrize(("page", "attendue"), [("abc", 1), ("0", 2), ("-3", 2), ("99", 2), ("2.5", 1), ("", 1)])
def test_a_page_out_of_range_or_not_a_number_shows_a_page_as_the_ledger_does(soixante, page, attendue):
    response = connecte("charge").get("/financements/regions/84/", {"page": page})
    assert response.status_code == 200
    assert f"page {attendue} sur 2" in response.content.decode()


def _requetes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as capture:
        assert client.get(url).status_code == 200
    return len(capture.captured_queries)


@pytest.mark.parametrize("url", ["/financements/regions/84/", "/financements/"])
def test_the_queries_do_not_grow_with_the_projects_nor_the_page(url):
    client = connecte("directeur", regions=["84"])
    avant = _requetes(client, url)
    ProjetFactory.create_batch(120, region=Region.objects.get(code="84"))
    assert _requetes(client, url) == _requetes(client, f"{url}?page=3") == avant


def _jours(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def retards():
    """25 overdue tranches on BIOVALLÉE (84), one of them half paid; one on VILAGIL (76)."""
    claire = compte("charge")
    biovallee, vilagil = Projet.objects.get(slug="biovallee"), Projet.objects.get(slug="vilagil")

    def convention(projet, reference, n):
        return services.convention_create(
            projet=projet, beneficiaire=projet.chef_de_file, objet=reference, date_signature=_jours(400),
            reference=reference, montant=Decimal(1000 * n),
            tranches=[{"date_prevue": _jours(300 - i), "montant": "1000", "condition": "Sur justificatifs"}
                      for i in range(n)],
            by=claire,
        )  # fmt: skip

    a = convention(biovallee, "CONV-A", 25)
    services.tranche_pay(
        tranche=a.tranches.get(numero=1), montant=Decimal("400"), date=_jours(200), reference="V-A1", by=claire
    )
    convention(vilagil, "CONV-B", 1)


def test_the_overdue_tranches_show_the_oldest_twenty_and_count_them_all(retards):
    html = connecte("directeur", regions=["84"]).get("/financements/regions/84/").content.decode()
    vus = chiffres(html)
    # Independently: every tranche of the region planned before today, less what its payments paid.
    jour = timezone.localdate()
    restes = []
    for t in Tranche.objects.filter(convention__projet__region__code="84", date_prevue__lt=jour).order_by(
        "date_prevue", "convention__reference", "numero"
    ):
        paye = sum((v.montant if v.nature == "versement" else -v.montant for v in t.versements.all()), ZERO)
        if t.montant - paye > 0:
            restes.append((t, t.montant - paye))

    assert len(restes) == 25
    assert vus["retards/nombre"] == 25
    assert vus["retards/total"] == sum((r for _, r in restes), ZERO) == Decimal("24600.00")
    montres = [(k.split("/")[2], v) for k, v in vus.items() if k.startswith("tranche/")]
    assert montres == [(str(t.numero), r) for t, r in restes[:20]]
    assert "Le tableau montre les 20 plus anciennes ; l'export les donne toutes." in html

    export = rows_of(connecte("charge").get("/financements/regions/84/?export=csv&tableau=retards"))
    assert len(export) == 1 + 25


def test_under_twenty_overdue_tranches_all_show_without_the_note(retards):
    html = connecte("directeur", regions=["76"]).get("/financements/regions/76/").content.decode()
    vus = chiffres(html)
    assert vus["retards/nombre"] == 1 and vus["retards/total"] == Decimal("1000.00")
    assert "plus anciennes ; l'export" not in html
