"""/mon-espace/ for officers and directors, and the export of overdue reports by project.

The figures on each home (data-chiffre, each key once) are recomputed here from the rows
themselves, in Python: periods, measures, tranches and disbursements, not the selectors.
"""

import datetime
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from financements import services as financements
from financements.models import Tranche, Versement
from indicateurs.models import Evaluation, Indicateur, Mesure, Periode, Statut
from laureats.models import Projet
from tests.financements.exports_lus import rows_of
from tests.indicateurs.factories import MesureFactory
from tests.pages.conftest import connecte

pytestmark = pytest.mark.django_db

CHIFFRE = re.compile(r'data-chiffre="([^"]+)" data-valeur="([^"]*)"')
# session, user, profile, the measures' counts, overdue reports by project, overdue tranches
ACCUEIL_CHARGE_QUERIES = 6
# session, user, profile, regions, indicators at risk and their latest evaluation, overdue reports, overdue tranches
ACCUEIL_DIRECTEUR_QUERIES = 8


def _chiffres(page: str) -> dict[str, str]:
    trouves = CHIFFRE.findall(page)
    cles = Counter(cle for cle, _ in trouves)
    assert not [cle for cle, n in cles.items() if n > 1], "une clé data-chiffre en double"
    return dict(trouves)


def _jours(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _convention(projet: Projet, reference: str, by) -> None:
    """Two tranches: one overdue and half paid, one to come."""
    convention = financements.convention_create(
        projet=projet, beneficiaire=projet.chef_de_file, objet=f"Convention {reference}", date_signature=_jours(400),
        reference=reference, montant=Decimal("3000.00"),
        tranches=[{"date_prevue": _jours(100), "montant": "1000.00", "condition": "Sur justificatifs"},
                  {"date_prevue": _jours(-100), "montant": "2000.00", "condition": "Sur justificatifs"}],
        by=by,
    )  # fmt: skip
    premiere = convention.tranches.get(numero=1)
    financements.tranche_pay(tranche=premiere, montant=Decimal("400.00"), date=_jours(50), reference=f"V-{reference}",
                             by=by)  # fmt: skip


def _en_retard_par_projet(jour: datetime.date, regions=None) -> dict[str, int]:
    """Overdue reports counted from the rows: period over, due date passed, no value kept for it."""
    gardees = set(Mesure.objects.exclude(statut=Mesure.Statut.REJETEE).values_list("periode_id", flat=True))
    comptes: Counter = Counter()
    for periode in Periode.objects.select_related("indicateur__impact__projet__region"):
        projet = periode.indicateur.impact.projet
        if regions is not None and projet.region.code not in regions:
            continue
        if periode.fin < jour and periode.date_limite < jour and periode.pk not in gardees:
            comptes[projet.slug] += 1
    return dict(comptes)


def _tranches_en_retard(jour: datetime.date, regions=None) -> list[tuple[Tranche, Decimal]]:
    lignes = []
    for tranche in Tranche.objects.select_related("convention__projet__region"):
        if regions is not None and tranche.convention.projet.region.code not in regions:
            continue
        verse = sum(
            (v.montant if v.nature == "versement" else -v.montant for v in Versement.objects.filter(tranche=tranche)),
            Decimal("0.00"),
        )
        if tranche.date_prevue < jour and tranche.montant - verse > 0:
            lignes.append((tranche, tranche.montant - verse))
    return lignes


@pytest.fixture
def activite():
    """Values submitted, sent back and validated; overdue tranches in two regions."""
    from tests.indicateurs.factories import compte

    claire = compte("charge")
    MesureFactory.create_batch(3)
    MesureFactory(statut=Mesure.Statut.A_REVOIR, commentaire="Source ?", decision_le=timezone.now())
    # A validated value clears its period from the overdue ones.
    bio = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    MesureFactory(indicateur=bio, date=datetime.date(2021, 6, 30), validee=True)
    # Biovallée's share is late at its latest evaluation, on track at an earlier one.
    Evaluation.objects.create(indicateur=bio, date=_jours(400), statut=Statut.EN_BONNE_VOIE)
    Evaluation.objects.create(indicateur=bio, date=_jours(10), statut=Statut.EN_RETARD)
    _convention(Projet.objects.get(slug="biovallee"), "CONV-84", claire)  # Auvergne-Rhône-Alpes
    autre = Projet.objects.exclude(region__code="84").order_by("ordre").first()
    _convention(autre, "CONV-AUTRE", claire)
    return autre


def test_an_officer_lands_on_their_home_with_what_waits_for_them(activite, django_assert_num_queries):
    client = connecte("charge")
    with django_assert_num_queries(ACCUEIL_CHARGE_QUERIES):
        response = client.get("/mon-espace/")

    assert response.status_code == 200
    page = response.content.decode()
    chiffres = _chiffres(page)
    jour = timezone.localdate()
    statuts = Counter(Mesure.objects.values_list("statut", flat=True))
    par_projet = _en_retard_par_projet(jour)
    assert chiffres["mesures_a_valider"] == str(statuts["soumise"]) == "3"
    assert chiffres["mesures_a_revoir"] == str(statuts["a_revoir"]) == "1"
    assert chiffres["rapports_en_retard"] == str(sum(par_projet.values()))
    assert chiffres["projets_en_retard"] == str(len(par_projet))
    assert {cle.split("/")[1]: int(v) for cle, v in chiffres.items() if cle.startswith("retards/")} == par_projet
    assert chiffres["tranches_en_retard"] == str(len(_tranches_en_retard(jour))) == "2"
    assert 'href="/indicateurs/mesures/a-valider/"' in page and 'href="/indicateurs/retards.csv"' in page
    assert 'href="/financements/"' in page


def test_the_officer_home_costs_the_same_with_more_activity(activite, django_assert_num_queries):
    MesureFactory.create_batch(15)
    client = connecte("charge")
    with django_assert_num_queries(ACCUEIL_CHARGE_QUERIES):
        assert client.get("/mon-espace/").status_code == 200


def test_a_director_lands_on_their_home_for_their_regions_only(activite, django_assert_num_queries):
    client = connecte("directeur", regions=["84"])
    with django_assert_num_queries(ACCUEIL_DIRECTEUR_QUERIES):
        response = client.get("/mon-espace/")

    assert response.status_code == 200
    page = response.content.decode()
    chiffres = _chiffres(page)
    jour = timezone.localdate()
    par_projet = _en_retard_par_projet(jour, regions={"84"})
    assert {cle.split("/")[1]: int(v) for cle, v in chiffres.items() if cle.startswith("retards/")} == par_projet
    assert chiffres["rapports_en_retard"] == str(sum(par_projet.values()))
    tranches = _tranches_en_retard(jour, regions={"84"})
    assert chiffres["tranches_en_retard"] == str(len(tranches)) == "1"
    assert Decimal(chiffres["tranches/reste"]) == sum(reste for _, reste in tranches) == Decimal("600.00")
    assert "CONV-84" in page and "CONV-AUTRE" not in page and activite.titre not in page
    assert 'href="/financements/regions/84/"' in page
    a_risque = []
    for indicateur in Indicateur.objects.filter(impact__projet__region__code="84"):
        derniere = indicateur.evaluations.order_by("-date").first()
        if derniere is not None and derniere.statut in (Statut.EN_RETARD, Statut.A_SURVEILLER):
            a_risque.append(indicateur)
    assert chiffres["indicateurs_a_risque"] == str(len(a_risque)) == "1"
    assert f'href="/indicateurs/{a_risque[0].code}/"' in page


def test_a_director_of_several_regions_sees_them_all_and_can_keep_one(activite):
    autre = activite.region.code
    client = connecte("directeur", regions=["84", autre])

    tout = _chiffres(client.get("/mon-espace/").content.decode())
    jour = timezone.localdate()
    assert tout["tranches_en_retard"] == "2"
    assert tout["rapports_en_retard"] == str(sum(_en_retard_par_projet(jour, regions={"84", autre}).values()))

    une = client.get("/mon-espace/", {"region": autre})
    assert une.status_code == 200
    chiffres = _chiffres(une.content.decode())
    assert chiffres["tranches_en_retard"] == "1" and "CONV-AUTRE" in une.content.decode()
    assert chiffres["rapports_en_retard"] == str(sum(_en_retard_par_projet(jour, regions={autre}).values()))
    # A region they do not follow is not theirs to read.
    assert client.get("/mon-espace/", {"region": "11" if autre != "11" else "93"}).status_code == 404


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_the_overdue_reports_export_opens_and_adds_up(activite, format_):
    jour = timezone.localdate()
    response = connecte("charge").get(f"/indicateurs/retards.{format_}")

    assert response.status_code == 200
    assert f'declarations-en-retard-{jour:%Y-%m-%d}.{format_}"' in response["Content-Disposition"]
    entete, *lignes = rows_of(response)
    assert entete == ["Projet", "Région", "Déclarations en retard", "Plus ancienne date limite"]
    titres = dict(Projet.objects.values_list("titre", "slug"))
    assert {titres[ligne[0]]: int(ligne[2]) for ligne in lignes} == _en_retard_par_projet(jour)
    if format_ == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf") and b";" in response.content.splitlines()[0]
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", lignes[0][3])


def test_a_director_exports_the_overdue_reports_of_their_regions_only(activite):
    response = connecte("directeur", regions=["84"]).get("/indicateurs/retards.csv")
    _, *lignes = rows_of(response)
    assert lignes and {ligne[1] for ligne in lignes} == {"Auvergne-Rhône-Alpes"}
    titres = dict(Projet.objects.values_list("titre", "slug"))
    par_projet = _en_retard_par_projet(timezone.localdate(), regions={"84"})
    assert {titres[ligne[0]]: int(ligne[2]) for ligne in lignes} == par_projet


def test_project_titles_cannot_run_as_formulas_in_the_export(activite):
    Projet.objects.filter(slug="biovallee").update(titre='=HYPERLINK("http://x")')
    _, *lignes = rows_of(connecte("charge").get("/indicateurs/retards.csv"))
    assert '\'=HYPERLINK("http://x")' in [ligne[0] for ligne in lignes]


def test_the_export_is_for_officers_and_directors(client):
    assert connecte("partenaire").get("/indicateurs/retards.csv").status_code == 403
    anonyme = client.get("/indicateurs/retards.xlsx")
    assert anonyme.status_code == 302 and anonyme["Location"].startswith("/connexion/")


@pytest.mark.parametrize("role", ["charge", "directeur"])
def test_the_export_runs_in_one_query_after_the_session(activite, role, django_assert_num_queries):
    client = connecte(role)
    # session, user, profile, overdue reports by project (a director's regions as a subquery)
    with django_assert_num_queries(4):
        assert client.get("/indicateurs/retards.xlsx").status_code == 200


@pytest.mark.parametrize("role", ["charge", "directeur"])
def test_officers_and_directors_reach_their_api_tokens_from_their_home(role):
    page = connecte(role).get("/mon-espace/").content.decode()
    assert 'href="/mon-espace/jetons/"' in page
