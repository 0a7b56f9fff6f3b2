"""The dashboards' schedule tables in headless Chromium: audited with axe-core (WCAG 2.1 AA), exported, linked."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from financements import services
from laureats.models import Projet

# tests.pages.conftest has the live server listen on 127.0.0.1, where verifier_tout_local expects every request.
from tests.pages import conftest  # noqa: F401
from tests.pages.test_navigateur import compte_avec_mot_de_passe, navigateur, visite  # noqa: F401 - fixtures

pytestmark = [pytest.mark.navigateur, pytest.mark.usefixtures("programme_charge")]


def _conventions() -> None:
    claire = compte_avec_mot_de_passe("charge", "claire")
    aujourdhui = timezone.localdate()
    jour = lambda n: aujourdhui + datetime.timedelta(days=n)  # noqa: E731
    for slug, reference in (("biovallee", "CONV-NAV-A"), ("vilagil", "CONV-NAV-B")):
        projet = Projet.objects.get(slug=slug)
        convention = services.convention_create(
            projet=projet, beneficiaire=projet.chef_de_file, objet="Convention de test", reference=reference,
            date_signature=jour(-200), montant=Decimal("300000"),
            tranches=[
                {"date_prevue": jour(-200), "montant": "100000", "condition": "À la signature"},
                {"date_prevue": jour(-30), "montant": "100000", "condition": "Sur justificatifs"},
                {"date_prevue": jour(400), "montant": "100000", "condition": "Solde"},
            ],
            by=claire,
        )  # fmt: skip
        services.tranche_pay(
            tranche=convention.tranches.get(numero=1), montant=Decimal("60000"),
            date=jour(-150), reference=f"V-{reference}", by=claire,
        )  # fmt: skip


def test_the_officer_reads_and_exports_the_schedules_and_the_director_their_region_s(visite):  # noqa: F811
    _conventions()
    v = visite("echeanciers-charge")
    v.connecter("claire")
    v.aller("/financements/")
    assert v.page.locator("#table-retards tbody tr").count() == 4
    assert v.page.locator("#table-prevision-subvention thead th").all_inner_texts()[1:] == [
        "Auvergne-Rhône-Alpes", "Occitanie", "Total",
    ]  # fmt: skip
    v.capture("tableau-de-bord-echeanciers")

    chemin = v.telecharger("Exporter les tranches en retard (CSV)")
    lignes = list(csv.reader(io.StringIO(chemin.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [ligne[2] for ligne in lignes[1:]] == ["CONV-NAV-A", "CONV-NAV-B", "CONV-NAV-A", "CONV-NAV-B"]

    compte_avec_mot_de_passe("directeur", "denis", regions=["76"])
    d = visite("echeanciers-directeur")
    d.connecter("denis")
    # A director lands on their home, which lists their region's overdue tranches too, then opens the region.
    assert d.page.url.endswith("/mon-espace/")
    d.page.get_by_role("link", name="Financements — Occitanie").first.click()
    d.page.wait_for_url("**/financements/regions/76/")
    assert d.page.locator("#table-retards tbody tr").count() == 2
    d.capture("tableau-de-bord-region-echeanciers")
    d.verifier_tout_local()
