"""The payment schedules on the officer's and the director's dashboards: overdue tranches, planned vs paid, forecast.

The figures on the page (data-valeur) are compared with the selectors' and with
sums over the rows; the page's queries do not grow with the number of tranches.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from financements import services
from financements.models import Tranche, Versement
from financements.selectors import PROGRAMME_FIN, prevision_versements, prevu_verse_par_annee, tranches_en_retard
from laureats.models import Projet
from tests.factories import compte
from tests.financements.exports_lus import rows_of
from tests.pages.conftest import connecte

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")


def _jours(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _convention(projet: Projet, reference: str, tranches: list[tuple[datetime.date, str]], *, by):
    return services.convention_create(
        projet=projet,
        beneficiaire=projet.chef_de_file,
        objet=f"Convention {reference}",
        date_signature=min(d for d, _ in tranches),
        reference=reference,
        montant=sum((Decimal(m) for _, m in tranches), ZERO),
        tranches=[{"date_prevue": d, "montant": m, "condition": "Sur justificatifs"} for d, m in tranches],
        by=by,
    )


def _payer(tranche: Tranche, montant: str, date: datetime.date, reference: str, by) -> list[Versement]:
    return services.tranche_pay(tranche=tranche, montant=Decimal(montant), date=date, reference=reference, by=by)


def _activite(claire, projets: list[Projet], n: int, suffixe: str) -> None:
    """Per project, n conventions of three tranches: one paid, one half paid and overdue, one in the future."""
    for projet in projets:
        for i in range(n):
            convention = _convention(
                projet,
                f"CONV-{suffixe}-{projet.pk}-{i}",
                [(_jours(400 + i), "1000"), (_jours(30 + i), "2000"), (_jours(-500 - i), "3000")],
                by=claire,
            )
            tranches = list(convention.tranches.order_by("numero"))
            _payer(tranches[0], "1000", _jours(399), f"V-{suffixe}-{projet.pk}-{i}-1", claire)
            _payer(tranches[1], "1000", _jours(10), f"V-{suffixe}-{projet.pk}-{i}-2", claire)


@pytest.fixture
def claire():
    return compte("charge")


@pytest.fixture
def jeu(claire):
    biovallee = Projet.objects.get(slug="biovallee")  # 84
    vilagil = Projet.objects.get(slug="vilagil")  # 76
    a = _convention(
        biovallee, "CONV-A", [(_jours(100), "100000"), (_jours(20), "50000"), (_jours(-30), "25000")], by=claire
    )
    t1, t2, _ = a.tranches.order_by("numero")
    _payer(t1, "40000", _jours(90), "VA-1", claire)
    b = _convention(vilagil, "CONV-B", [(_jours(5), "70000"), (_jours(-400), "30000")], by=claire)
    (versement,) = _payer(b.tranches.get(numero=1), "70000", _jours(4), "VB-1", claire)
    services.versement_cancel(
        versement=versement, montant=Decimal("10000"), date=_jours(1), reference="VB-1-ANN",
        motif="Trop-perçu", by=claire,
    )  # fmt: skip
    return {"a": a, "b": b}


def _chiffres(html: str) -> dict[str, Decimal]:
    return {
        cle: Decimal(valeur)
        for cle, valeur in re.findall(r'data-chiffre="([^"]+)" data-valeur="([^"]*)"', html)
        if valeur
    }


def test_the_officer_sees_the_overdue_tranches_of_the_programme(jeu):
    client = connecte("charge")
    html = client.get("/financements/").content.decode()
    chiffres = _chiffres(html)
    en_retard = list(tranches_en_retard())

    # A1 (60 000 left), A2 (50 000), B1 (10 000 reversed): three, the oldest first.
    assert [(t.convention.reference, t.numero) for t in en_retard] == [("CONV-A", 1), ("CONV-A", 2), ("CONV-B", 1)]
    for tranche in en_retard:
        assert chiffres[f"tranche/{tranche.convention.uid}/{tranche.numero}/reste"] == tranche.reste
        assert f'href="/conventions/{tranche.convention.uid}/"' in html
    assert chiffres["retards/total"] == Decimal("120000.00") == sum(t.reste for t in en_retard)
    assert 'data-jours="100"' in html and 'data-jours="20"' in html and 'data-jours="5"' in html
    assert "Association Biovallée" in html and "Auvergne-Rhône-Alpes" in html
    assert "Aucune tranche en retard" not in html


def test_the_director_sees_the_overdue_tranches_of_the_region(jeu):
    client = connecte("directeur", regions=["76"])
    html = client.get("/financements/regions/76/").content.decode()
    chiffres = _chiffres(html)

    b1 = jeu["b"].tranches.get(numero=1)
    assert chiffres[f"tranche/{jeu['b'].uid}/1/reste"] == Decimal("10000.00")
    assert chiffres["retards/total"] == Decimal("10000.00")
    assert not any(cle.startswith(f"tranche/{jeu['a'].uid}/") for cle in chiffres)
    assert f'href="/conventions/{b1.convention.uid}/"' in html


def test_without_overdue_tranche_the_dashboard_says_so(claire):
    html = connecte("charge").get("/financements/").content.decode()
    assert 'id="aucun-retard"' in html
    assert "Aucune tranche en retard" in html
    assert "Aucune convention" in html
    assert "Rien ne reste à verser" in html


def test_planned_and_paid_per_year_on_the_page_are_the_selector_s(jeu):
    html = connecte("charge").get("/financements/").content.decode()
    chiffres = _chiffres(html)
    annees = prevu_verse_par_annee()

    for a in annees:
        assert chiffres[f"echeancier/{a.annee}/prevu"] == a.prevu
        assert chiffres[f"echeancier/{a.annee}/verse"] == a.verse
        assert chiffres[f"echeancier/{a.annee}/ecart"] == a.prevu - a.verse
    assert chiffres["echeancier/total/prevu"] == Decimal("275000.00")  # both conventions
    # Paid 40 000 + 70 000, 10 000 reversed.
    assert chiffres["echeancier/total/verse"] == Decimal("100000.00")
    assert '<th scope="col">Prévu</th>' in html and (
        '<caption id="legende-tranches-annees">Tranches prévues et versements nets par année' in html
    )


def test_the_forecast_on_the_programme_s_dashboard_has_a_column_per_region_and_adds_up(jeu):
    html = connecte("charge").get("/financements/").content.decode()
    chiffres = _chiffres(html)
    jour = timezone.localdate()

    for annee in range(jour.year, max(PROGRAMME_FIN, jour.year) + 1):
        attendu = sum((p.montant for p in prevision_versements() if p.annee == annee), ZERO)
        assert chiffres[f"prevision/subvention/{annee}"] == attendu
    reste = sum((t.montant - t.verse for t in Tranche.objects.with_verse()), ZERO)
    assert chiffres["prevision/subvention/total"] == reste == Decimal("175000.00")
    assert '<th scope="col">Auvergne-Rhône-Alpes</th>' in html and '<th scope="col">Occitanie</th>' in html
    assert "Une tranche en retard compte pour l'année en cours" in html


def test_the_forecast_on_a_region_s_dashboard_has_its_years_only(jeu):
    html = connecte("directeur", regions=["84"]).get("/financements/regions/84/").content.decode()
    chiffres = _chiffres(html)

    assert chiffres["prevision/subvention/total"] == Decimal("135000.00")  # A: 60 000 + 50 000 + 25 000
    assert '<th scope="col">Occitanie</th>' not in html


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_the_schedule_tables_are_exported(jeu, format_):
    client = connecte("charge")

    retards = rows_of(client.get(f"/financements/?export={format_}&tableau=retards"))
    assert retards[0][:4] == ["Projet", "Région", "Convention", "Bénéficiaire"]
    assert [(r[2], r[4], Decimal(r[-1])) for r in retards[1:]] == [
        ("CONV-A", "1", Decimal("60000")), ("CONV-A", "2", Decimal("50000")), ("CONV-B", "1", Decimal("10000")),
    ]  # fmt: skip

    prevu_verse = rows_of(client.get(f"/financements/regions/76/?export={format_}&tableau=prevu-verse"))
    assert prevu_verse[0] == ["Année", "Prévu (€)", "Versé (€)", "Écart (€)"]
    assert len(prevu_verse) == 1 + len(prevu_verse_par_annee(region_code="76"))

    prevision = rows_of(client.get(f"/financements/?export={format_}&tableau=prevision"))
    assert sum(Decimal(r[3]) for r in prevision[1:]) == Decimal("175000.00")

    reponse = client.get(f"/financements/?export={format_}&tableau=prevision")
    assert f'filename="financements-programme-prevision.{format_}"' in reponse["Content-Disposition"]


def test_an_unknown_table_exports_the_project_table_as_before(jeu):
    rows = rows_of(connecte("charge").get("/financements/?export=csv&tableau=autre"))
    assert rows[0][:3] == ["Projet", "Région", "Enveloppe"]


@pytest.mark.parametrize("url", ["/financements/", "/financements/regions/84/"])
def test_the_schedules_add_a_fixed_number_of_queries_whatever_the_number_of_tranches(claire, url):
    client = connecte("directeur")
    projets = list(Projet.objects.filter(region__code__in=["84", "76", "27"]).order_by("ordre"))

    def requetes() -> int:
        with CaptureQueriesContext(connection) as capture:
            assert client.get(url).status_code == 200
        return len(capture.captured_queries)

    sans = requetes()
    _activite(claire, projets[:2], 1, "x")
    avec = requetes()
    _activite(claire, projets, 2, "y")
    assert Tranche.objects.count() >= 30 and tranches_en_retard().count() >= 10
    assert requetes() == avec == sans
