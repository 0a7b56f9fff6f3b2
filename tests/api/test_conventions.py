"""/api/v1/conventions/ and /api/v1/tranches/: the ledger's roles, writes through the services, refusals, sync, CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from financements import selectors, services
from financements.models import Allocation, Avenant, Convention, Engagement, Tranche, Versement
from laureats.models import Etablissement, Organisation, Partenariat, Projet
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
URL = "/api/v1/conventions/"
TRANCHES = "/api/v1/tranches/"
AUJOURDHUI = timezone.localdate()
PASSEE = datetime.date(2024, 9, 1)  # a tranche planned then and unpaid is late
FUTURE = AUJOURDHUI + datetime.timedelta(days=200)


def client_for(role: str | None, **kwargs) -> Client:
    if role is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role, **kwargs))}")


@pytest.fixture
def charge() -> Client:
    return client_for("charge")


def corps(**overrides) -> dict:
    """A convention with Biovallée's lead: 300 000 € in two tranches, one planned in the past, one to come."""
    return {
        "projet": "biovallee",
        "beneficiaire": "association-biovallee",
        "objet": "Plateforme de compostage collectif",
        "date_signature": "2024-03-01",
        "reference": "CONV-2024-001",
        "montant": "300000.00",
        "nature_aide": "numeraire",
        "conditions_versement": "echelonne",
        "tranches": [
            {"date_prevue": "2024-03-01", "montant": "100000.00", "condition": "À la signature"},
            {"date_prevue": PASSEE.isoformat(), "montant": "200000.00", "condition": "Sur justificatifs"},
        ],
        **overrides,
    }


def post(client: Client, url: str = URL, data: dict | None = None, method: str = "post"):
    return getattr(client, method)(url, data if data is not None else corps(), content_type="application/json")


def rien_d_ecrit() -> bool:
    return not (Convention.objects.exists() or Tranche.objects.exists() or Engagement.objects.exists())


def convention_de(slug: str, reference: str, *, montant: str = "1000.00", beneficiaire: Organisation | None = None):
    """A convention written through the service (the tests of reads need no API write)."""
    projet = Projet.objects.get(slug=slug)
    return services.convention_create(
        projet=projet, beneficiaire=beneficiaire or projet.chef_de_file, objet="Objet", reference=reference,
        date_signature=datetime.date(2024, 1, 15), montant=Decimal(montant), by=None,
        tranches=[{"date_prevue": datetime.date(2024, 2, 1), "montant": Decimal(montant), "condition": "Signature"}],
    )  # fmt: skip


def lignes_csv(reponse) -> list[dict[str, str]]:
    texte = b"".join(reponse.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(texte, newline="")))


# --- Recording a convention -----------------------------------------------------------------------------------


def test_an_officer_records_a_convention_its_schedule_and_the_ledger_commits_its_amount(charge):
    reponse = post(charge)

    assert reponse.status_code == 201, reponse.content
    body = reponse.json()
    assert (body["projet"], body["beneficiaire"]) == (
        "biovallee",
        {"slug": "association-biovallee", "nom": "Association Biovallée"},
    )
    assert (body["montant"], body["reference"], body["date_signature"]) == ("300000.00", "CONV-2024-001", "2024-03-01")
    assert (body["nature_aide"], body["conditions_versement"], body["etablissement"]) == (
        "numeraire",
        "echelonne",
        None,
    )
    assert [(t["numero"], t["montant"], t["verse"], t["reste"], t["en_retard"]) for t in body["tranches"]] == [
        (1, "100000.00", "0.00", "100000.00", True),
        (2, "200000.00", "0.00", "200000.00", True),
    ]
    assert body["avenants"] == []
    engagement = Engagement.objects.get(convention__uid=body["uid"])
    assert (engagement.montant, engagement.enveloppe.code, engagement.auteur.username[:6]) == (
        Decimal("300000.00"),
        "subvention",
        "charge",
    )
    assert Allocation.objects.get(projet__slug="biovallee", enveloppe__code="subvention").montant_engage == Decimal(
        "300000.00"
    )
    assert charge.get(f"{URL}{body['uid']}/").json() == body


def test_a_convention_with_a_partner_its_establishment_and_every_published_field(charge):
    projet = Projet.objects.get(slug="biovallee")
    partenaire = Organisation.objects.create(nom="Compost Drôme", slug="compost-drome", nature="entreprise")
    Partenariat.objects.create(projet=projet, organisation=partenaire, role=Partenariat.Role.PARTENAIRE)
    Etablissement.objects.create(organisation=partenaire, siret="73282932000074")

    reponse = post(
        charge,
        data=corps(
            beneficiaire="compost-drome", etablissement="73282932000074", notification_ue=True,
            regime_aide="SA.40405", pourcentage_subvention="42.50", conditions_versement="autre",
        ),
    )  # fmt: skip

    assert reponse.status_code == 201, reponse.content
    body = reponse.json()
    assert body["beneficiaire"]["slug"] == "compost-drome" and body["etablissement"] == "73282932000074"
    assert (body["notification_ue"], body["regime_aide"], body["pourcentage_subvention"]) == (True, "SA.40405", "42.50")


@pytest.mark.parametrize(
    ("changes", "champ", "extrait"),
    [
        (
            {"tranches": [{"date_prevue": "2024-03-01", "montant": "100000.00", "condition": "À la signature"}]},
            "tranches",
            "Les tranches totalisent 100\u202f000,00 €, la convention 300\u202f000,00 €",
        ),
        (
            {
                "tranches": [
                    {"date_prevue": "2024-03-01", "montant": "100000.00", "condition": "À la signature"},
                    {"date_prevue": "2024-02-28", "montant": "200000.00", "condition": "Sur justificatifs"},
                ]
            },
            "tranches.1.date_prevue",
            "Tranche 2 prévue le 28/02/2024, avant la convention du 01/03/2024",
        ),  # fmt: skip
        ({"beneficiaire": "toulouse-metropole"}, "beneficiaire", "ne participe pas au projet"),
        ({"beneficiaire": "inconnue"}, "beneficiaire", ""),
        ({"pourcentage_subvention": "150.00"}, "pourcentage_subvention", "entre 0,01 et 100 %"),
        ({"pourcentage_subvention": "0.00"}, "pourcentage_subvention", "entre 0,01 et 100 %"),
        ({"pourcentage_subvention": "12.345"}, "pourcentage_subvention", "chiffres après la virgule"),
        ({"tranches": []}, "tranches", "au moins une tranche"),
        (
            {
                "tranches": [
                    {"date_prevue": "2024-03-01", "montant": "300000.00", "condition": "À la signature"},
                    {"date_prevue": "2024-04-01", "montant": "0", "condition": "Solde"},
                ]
            },
            "tranches.1.montant",
            "",
        ),  # fmt: skip
        (
            {"tranches": [{"date_prevue": "2024-03-01", "montant": "300000.00", "condition": " "}]},
            "tranches.0.condition",
            "",
        ),
        ({"conditions_versement": "unique"}, "conditions_versement", "Un versement unique se fait en une tranche"),
        ({"montant": "300000.001"}, "montant", ""),
        ({"date_signature": "2019-01-01"}, "date_signature", "Le programme commence le 13/09/2019"),
        ({"date_signature": FUTURE.isoformat()}, "date_signature", "dans le futur"),
        ({"objet": "x" * 257}, "objet", ""),
        ({"nature_aide": "pret"}, "nature_aide", ""),
        ({"etablissement": "00000000000000"}, "etablissement", ""),
    ],
)
def test_bad_input_is_a_400_with_a_french_message_on_the_field_and_nothing_is_written(charge, changes, champ, extrait):
    reponse = post(charge, data=corps(**changes))

    assert reponse.status_code == 400, reponse.content
    erreurs = reponse.json()["errors"]
    assert champ in erreurs, erreurs
    assert extrait in " ".join(erreurs[champ])
    assert rien_d_ecrit()


def test_an_establishment_of_another_organisation_is_refused(charge):
    Etablissement.objects.create(
        organisation=Organisation.objects.get(slug="toulouse-metropole"), siret="24310051800014"
    )

    reponse = post(charge, data=corps(etablissement="24310051800014"))

    assert reponse.status_code == 400 and "n'appartient pas" in reponse.json()["errors"]["etablissement"][0]
    assert rien_d_ecrit()


def test_a_convention_above_what_is_left_of_the_planned_subsidy_is_a_409_and_nothing_is_written(charge):
    assert post(charge, data=corps(montant="5000000.00", tranches=[
        {"date_prevue": "2024-03-01", "montant": "5000000.00", "condition": "À la signature"}],
        conditions_versement="unique")).status_code == 201  # fmt: skip
    avant = (Convention.objects.count(), Tranche.objects.count(), Engagement.objects.count())

    reponse = post(charge, data=corps(reference="CONV-2024-002", montant="800000.00", tranches=[
        {"date_prevue": "2024-03-01", "montant": "800000.00", "condition": "À la signature"}],
        conditions_versement="unique"))  # fmt: skip

    assert reponse.status_code == 409, reponse.content
    assert reponse.json()["reste_disponible"] == "700000.00"
    assert "Subvention prévue du projet" in reponse.json()["detail"]
    assert (Convention.objects.count(), Tranche.objects.count(), Engagement.objects.count()) == avant


def test_a_reference_already_used_in_the_envelope_is_a_400(charge):
    post(charge)
    tranches = [{"date_prevue": "2024-03-01", "montant": "1000.00", "condition": "Solde"}]
    reponse = post(charge, data=corps(montant="1000.00", tranches=tranches, conditions_versement=""))
    assert reponse.status_code == 400 and "déjà utilisée" in reponse.json()["errors"]["reference"][0]
    assert Convention.objects.count() == 1


@pytest.mark.parametrize(("role", "statut"), [(None, 401), ("partenaire", 403), ("directeur", 403)])
def test_only_officers_write_conventions(role, statut):
    client = client_for(role)
    assert post(client).status_code == statut
    assert rien_d_ecrit()
    convention = convention_de("biovallee", "C-1")
    assert post(client, f"{URL}{convention.uid}/", {"objet": "Autre"}, method="patch").status_code == statut
    avenant = {"variation": "10.00", "date": "2024-06-01", "reference": "AV-1", "motif": "Hausse"}
    assert post(client, f"{URL}{convention.uid}/avenants/", avenant).status_code == statut
    tranche = convention.tranches.get()
    versement = {"montant": "10.00", "date": "2024-06-01", "reference": "V-1"}
    assert post(client, f"{TRANCHES}{tranche.pk}/versements/", versement).status_code == statut
    assert not Avenant.objects.exists() and not Versement.objects.exists()


# --- Reading: the ledger's roles -----------------------------------------------------------------------------


@pytest.fixture
def deux_conventions() -> dict[str, Convention]:
    """One on Biovallée (the partner's organisation leads it), one on Vilagil (not theirs)."""
    return {slug: convention_de(slug, f"C-{slug}") for slug in ("biovallee", "vilagil")}


@pytest.mark.parametrize(
    ("role", "statut", "visibles"),
    [
        (None, 401, None),
        ("partenaire", 200, {"biovallee"}),
        ("directeur", 200, {"biovallee", "vilagil"}),
        ("charge", 200, {"biovallee", "vilagil"}),
    ],
)
def test_each_role_reads_the_conventions_and_tranches_the_ledger_shows_it(deux_conventions, role, statut, visibles):
    client = client_for(role)
    for url in (URL, TRANCHES):
        reponse = client.get(url)
        assert reponse.status_code == statut
        if visibles is not None:
            assert {ligne["projet"] for ligne in reponse.json()["results"]} == visibles
    for slug, convention in deux_conventions.items():
        attendu = statut if visibles is None or slug in visibles else 404
        assert client.get(f"{URL}{convention.uid}/").status_code == attendu


def test_a_partner_of_the_project_sees_its_conventions_whoever_the_beneficiary(deux_conventions):
    """The ledger's rule: a partner sees every entry of the projects its organisation takes part in."""
    projet = Projet.objects.get(slug="vilagil")
    autre = Organisation.objects.create(nom="Atelier Vilagil", slug="atelier-vilagil", nature="entreprise")
    Partenariat.objects.create(projet=projet, organisation=autre, role=Partenariat.Role.PARTENAIRE)
    partenaire = client_for("partenaire", organisation="Atelier Vilagil")

    assert [c["reference"] for c in partenaire.get(URL).json()["results"]] == ["C-vilagil"]


def test_a_director_sees_every_region_with_their_own_first(deux_conventions):
    directeur = client_for("directeur", regions=["76"])  # Occitanie: Vilagil

    assert [c["projet"] for c in directeur.get(URL).json()["results"]] == ["vilagil", "biovallee"]
    assert [t["projet"] for t in directeur.get(TRANCHES).json()["results"]] == ["vilagil", "biovallee"]


def test_the_list_costs_the_same_queries_whatever_the_conventions_and_tranches(charge, django_assert_num_queries):
    post(charge)
    # token, count, page (project, beneficiary, establishment), their tranches with the sums paid, their amendments
    with django_assert_num_queries(5):
        assert charge.get(URL).json()["count"] == 1
    for i in range(4):
        post(charge, data=corps(reference=f"CONV-{i}", montant="1000.00", conditions_versement="echelonne", tranches=[
            {"date_prevue": "2024-03-01", "montant": "400.00", "condition": "Signature"},
            {"date_prevue": "2024-05-01", "montant": "600.00", "condition": "Solde"}]))  # fmt: skip
    convention = Convention.objects.get(reference="CONV-0")
    services.avenant_create(
        convention=convention, variation="50.00", date="2024-06-01", reference="AV-0", motif="Hausse", by=None
    )
    services.tranche_pay(
        tranche=convention.tranches.first(), montant="100.00", date="2024-06-01", reference="V-0", by=None
    )
    with django_assert_num_queries(5):
        assert charge.get(URL).json()["count"] == 5
    # token, count, page of tranches with convention, project, beneficiary and sums
    with django_assert_num_queries(3):
        assert charge.get(TRANCHES).json()["count"] == 10


# --- What is paid on a tranche: one definition, recomputed from the rows -----------------------------------


def test_paid_rest_and_lateness_are_the_services_figures_recomputed_from_the_disbursements(charge):
    uid = post(charge).json()["uid"]
    convention = Convention.objects.get(uid=uid)
    premiere, seconde = convention.tranches.order_by("numero")
    (versement,) = services.tranche_pay(
        tranche=premiere, montant="100000.00", date="2024-03-10", reference="V-1", by=None
    )
    services.versement_cancel(
        versement=versement, montant="2500.50", date="2024-04-01", reference="A-1", motif="Trop-perçu", by=None
    )
    services.tranche_pay(tranche=seconde, montant="50000.00", date="2024-09-10", reference="V-2", by=None)

    tranches = {t["numero"]: t for t in charge.get(f"{URL}{uid}/").json()["tranches"]}

    for tranche in (premiere, seconde):
        lignes = Versement.objects.filter(tranche=tranche)
        net = sum(v.montant if v.nature == Versement.Nature.VERSEMENT else -v.montant for v in lignes)
        assert Decimal(tranches[tranche.numero]["verse"]) == net == services.tranche_verse(tranche)
        assert Decimal(tranches[tranche.numero]["reste"]) == tranche.montant - net
    assert (tranches[1]["verse"], tranches[1]["reste"], tranches[1]["en_retard"]) == ("97499.50", "2500.50", True)
    assert (tranches[2]["verse"], tranches[2]["reste"], tranches[2]["en_retard"]) == ("50000.00", "150000.00", True)
    en_retard = {t["id"] for t in charge.get(TRANCHES, {"en_retard": "true"}).json()["results"]}
    assert (
        en_retard
        == set(Tranche.objects.en_retard(AUJOURDHUI).values_list("pk", flat=True))
        == {
            premiere.pk,
            seconde.pk,
        }
    )
    services.tranche_pay(tranche=premiere, montant="2500.50", date="2024-09-10", reference="V-3", by=None)
    assert charge.get(f"{URL}{uid}/").json()["tranches"][0]["en_retard"] is False
    en_retard = {t["id"] for t in charge.get(TRANCHES, {"en_retard": "true"}).json()["results"]}
    assert en_retard == {t.pk for t in selectors.tranches_en_retard()} == {seconde.pk}


def test_a_tranche_planned_today_or_later_is_not_late(charge):
    convention = Convention.objects.get(uid=post(charge).json()["uid"])
    services.echeancier_update(
        convention=convention, motif="Report", by=None,
        tranches=[
            {"numero": 1, "date_prevue": AUJOURDHUI, "montant": "100000.00", "condition": "À la signature"},
            {"numero": 2, "date_prevue": FUTURE, "montant": "200000.00", "condition": "Sur justificatifs"},
        ],
    )  # fmt: skip

    assert [t["en_retard"] for t in charge.get(f"{URL}{convention.uid}/").json()["tranches"]] == [False, False]
    assert charge.get(TRANCHES, {"en_retard": "true"}).json()["count"] == 0


# --- Amendments, schedule, payments ---------------------------------------------------------------------------


def test_an_amendment_up_then_down_changes_the_amount_the_schedule_and_the_ledger(charge):
    uid = post(charge).json()["uid"]
    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe__code="subvention")

    hausse = post(charge, f"{URL}{uid}/avenants/", {
        "variation": "50000.00", "date": "2024-06-01", "reference": "AV-1", "motif": "Extension du site"})  # fmt: skip

    assert hausse.status_code == 201, hausse.content
    body = hausse.json()
    assert body["montant"] == "350000.00"
    assert body["avenants"] == [{
        "numero": 1, "date": "2024-06-01", "reference": "AV-1", "motif": "Extension du site",
        "variation": "50000.00", "montant_avant": "300000.00", "montant_apres": "350000.00",
    }]  # fmt: skip
    assert [t["montant"] for t in body["tranches"]] == ["100000.00", "250000.00"]
    allocation.refresh_from_db()
    assert allocation.montant_engage == Decimal("350000.00")
    ecritures = charge.get("/api/v1/engagements/", {"projet": "biovallee"}).json()["results"]
    assert {(e["reference"], e["nature"], e["montant"], e["convention"]) for e in ecritures} == {
        ("CONV-2024-001", "engagement", "300000.00", uid),
        ("AV-1", "engagement", "50000.00", uid),
    }

    baisse = post(charge, f"{URL}{uid}/avenants/", {
        "variation": "-120000.00", "date": "2024-07-01", "reference": "AV-2", "motif": "Une action abandonnée",
        "tranches": [{"numero": 1, "date_prevue": "2024-03-01", "montant": "100000.00", "condition": "À la signature"},
                     {"numero": 2, "date_prevue": "2025-03-01", "montant": "130000.00", "condition": "Solde"}],
    })  # fmt: skip

    assert baisse.status_code == 201, baisse.content
    body = baisse.json()
    assert body["montant"] == "230000.00" and body["avenants"][1]["montant_apres"] == "230000.00"
    assert [(t["numero"], t["montant"], t["date_prevue"]) for t in body["tranches"]] == [
        (1, "100000.00", "2024-03-01"),
        (2, "130000.00", "2025-03-01"),
    ]
    allocation.refresh_from_db()
    assert allocation.montant_engage == Decimal("230000.00")
    liberations = Engagement.objects.filter(convention__uid=uid, nature=Engagement.Nature.DESENGAGEMENT)
    assert sum(e.montant for e in liberations) == Decimal("120000.00")
    assert {e.avenant.numero for e in liberations} == {2}


def test_a_cut_beyond_what_is_neither_paid_nor_released_is_a_409(charge):
    uid = post(charge).json()["uid"]
    tranche = Tranche.objects.get(convention__uid=uid, numero=1)
    services.tranche_pay(tranche=tranche, montant="100000.00", date="2024-03-10", reference="V-1", by=None)

    reponse = post(charge, f"{URL}{uid}/avenants/", {
        "variation": "-200000.01", "date": "2024-06-01", "reference": "AV-1", "motif": "Baisse"})  # fmt: skip

    assert reponse.status_code == 409 and reponse.json()["reste_disponible"] == "200000.00"
    assert not Avenant.objects.exists()


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        ({"variation": "0.00"}, "variation"),
        ({"variation": "1e3"}, "variation"),
        ({"date": "2024-02-01"}, "date"),  # before the convention
        ({"motif": ""}, "motif"),
        ({"tranches": [{"numero": 9, "date_prevue": "2024-03-01", "montant": "110000.00", "condition": "X"},
                       {"numero": 2, "date_prevue": "2024-09-01", "montant": "200000.00", "condition": "Y"}]},
         "tranches.0.numero"),
    ],
)  # fmt: skip
def test_a_bad_amendment_is_a_400_and_nothing_is_written(charge, donnees, champ):
    uid = post(charge).json()["uid"]
    avenant = {"variation": "10000.00", "date": "2024-06-01", "reference": "AV-1", "motif": "Hausse", **donnees}

    reponse = post(charge, f"{URL}{uid}/avenants/", avenant)

    assert reponse.status_code == 400 and champ in reponse.json()["errors"], reponse.content
    assert not Avenant.objects.exists() and Engagement.objects.count() == 1
    assert Convention.objects.get(uid=uid).montant == Decimal("300000.00")


def test_paying_a_tranche_returns_the_disbursements_and_beyond_its_rest_is_a_409(charge):
    uid = post(charge).json()["uid"]
    tranche = charge.get(f"{URL}{uid}/").json()["tranches"][0]
    url = f"{TRANCHES}{tranche['id']}/versements/"

    reponse = post(charge, url, {"montant": "40000.00", "date": "2024-03-15", "reference": "V-1"})

    assert reponse.status_code == 201, reponse.content
    (versement,) = reponse.json()
    assert (versement["montant"], versement["tranche"], versement["enveloppe"]) == (
        "40000.00",
        tranche["id"],
        "subvention",
    )
    assert versement["engagement"] == str(Engagement.objects.get(convention__uid=uid).uid)
    trop = post(charge, url, {"montant": "60000.01", "date": "2024-03-16", "reference": "V-2"})
    assert trop.status_code == 409 and trop.json()["reste_disponible"] == "60000.00"
    assert "tranche n° 1" in trop.json()["detail"]
    assert Versement.objects.count() == 1
    lue = charge.get(TRANCHES, {"convention": uid}).json()["results"][0]
    assert (lue["verse"], lue["reste"]) == ("40000.00", "60000.00")


def test_a_payment_spanning_the_signature_and_a_raise_is_two_disbursements(charge):
    uid = post(charge).json()["uid"]
    post(charge, f"{URL}{uid}/avenants/", {"variation": "10000.00", "date": "2024-06-01", "reference": "AV-1",
                                           "motif": "Hausse"})  # fmt: skip
    tranche = Tranche.objects.get(convention__uid=uid, numero=2)
    services.tranche_pay(tranche=Tranche.objects.get(convention__uid=uid, numero=1), montant="100000.00",
                         date="2024-06-02", reference="V-0", by=None)  # fmt: skip

    reponse = post(charge, f"{TRANCHES}{tranche.pk}/versements/", {
        "montant": "210000.00", "date": "2024-09-15", "reference": "V-1"})  # fmt: skip

    assert reponse.status_code == 201, reponse.content
    assert [(v["reference"], v["montant"]) for v in reponse.json()] == [("V-1", "200000.00"), ("V-1-2", "10000.00")]


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [({"montant": "-1"}, "montant"), ({"date": "2024-02-01"}, "date"), ({"reference": ""}, "reference")],
)
def test_a_bad_payment_is_a_400(charge, donnees, champ):
    uid = post(charge).json()["uid"]
    tranche = Tranche.objects.get(convention__uid=uid, numero=1)
    versement = {"montant": "10.00", "date": "2024-06-01", "reference": "V-1", **donnees}

    reponse = post(charge, f"{TRANCHES}{tranche.pk}/versements/", versement)

    assert reponse.status_code == 400 and champ in reponse.json()["errors"], reponse.content
    assert not Versement.objects.exists()


def test_an_unknown_tranche_is_a_404(charge):
    versement = {"montant": "10.00", "date": "2024-06-01", "reference": "V-1"}
    assert post(charge, f"{TRANCHES}999999/versements/", versement).status_code == 404
    assert post(charge, f"{TRANCHES}abc/versements/", versement).status_code == 404
    assert post(charge, f"{URL}00000000-0000-0000-0000-000000000000/avenants/", {}).status_code == 404


def test_an_officer_completes_a_convention_and_only_its_editable_fields(charge):
    uid = post(charge).json()["uid"]

    reponse = post(charge, f"{URL}{uid}/", {"objet": "Compostage", "pourcentage_subvention": "35.00",
                                            "notification_ue": False}, method="patch")  # fmt: skip

    assert reponse.status_code == 200, reponse.content
    body = reponse.json()
    assert (body["objet"], body["pourcentage_subvention"], body["notification_ue"]) == ("Compostage", "35.00", False)
    assert body["nature_aide"] == "numeraire" and body["montant"] == "300000.00"
    refus = post(charge, f"{URL}{uid}/", {"montant": "1.00", "objet": "Autre"}, method="patch")
    assert refus.status_code == 400 and "par avenant" in refus.json()["errors"]["montant"][0]
    refus = post(charge, f"{URL}{uid}/", {"notification_ue": True}, method="patch")
    assert refus.status_code == 400, refus.content
    assert "régime" in " ".join(m for ms in refus.json()["errors"].values() for m in ms)
    refus = post(charge, f"{URL}{uid}/", {"conditions_versement": "unique"}, method="patch")
    assert refus.status_code == 400 and "conditions_versement" in refus.json()["errors"]
    # An empty string is not null: the schema's pattern refuses it, so does the API (not read as "no value").
    refus = post(charge, f"{URL}{uid}/", {"pourcentage_subvention": ""}, method="patch")
    assert refus.status_code == 400 and "pourcentage_subvention" in refus.json()["errors"]
    assert Convention.objects.get(uid=uid).pourcentage_subvention == Decimal("35.00")
    assert Convention.objects.get(uid=uid).objet == "Compostage"
    assert charge.put(f"{URL}{uid}/", {}, content_type="application/json").status_code == 405
    assert charge.delete(f"{URL}{uid}/").status_code == 405


def test_an_officer_replans_the_schedule_with_the_same_total(charge):
    uid = post(charge).json()["uid"]
    url = f"{URL}{uid}/echeancier/"
    tranche1 = Tranche.objects.get(convention__uid=uid, numero=1)
    services.tranche_pay(tranche=tranche1, montant="60000.00", date="2024-03-10", reference="V-1", by=None)

    reponse = post(charge, url, {"motif": "Report du chantier", "tranches": [
        {"numero": 1, "date_prevue": "2024-03-01", "montant": "60000.00", "condition": "À la signature"},
        {"numero": 2, "date_prevue": "2025-06-01", "montant": "140000.00", "condition": "Sur justificatifs"},
        {"date_prevue": "2026-06-01", "montant": "100000.00", "condition": "Solde"},
    ]}, method="put")  # fmt: skip

    assert reponse.status_code == 200, reponse.content
    assert [(t["numero"], t["montant"], t["verse"]) for t in reponse.json()["tranches"]] == [
        (1, "60000.00", "60000.00"),
        (2, "140000.00", "0.00"),
        (3, "100000.00", "0.00"),
    ]
    refus = post(charge, url, {"motif": "Erreur", "tranches": [
        {"numero": 1, "date_prevue": "2024-03-01", "montant": "50000.00", "condition": "À la signature"},
        {"numero": 2, "date_prevue": "2025-06-01", "montant": "250000.00", "condition": "Sur justificatifs"},
    ]}, method="put")  # fmt: skip
    assert refus.status_code == 400 and "déjà versés" in refus.json()["errors"]["tranches.0.montant"][0]
    refus = post(charge, url, {"motif": "Erreur", "tranches": [
        {"numero": 2, "date_prevue": "2024-03-01", "montant": "150000.00", "condition": "Moitié"},
        {"date_prevue": "2025-03-01", "montant": "150000.00", "condition": "Moitié"}]}, method="put")  # fmt: skip
    assert refus.status_code == 400 and "a reçu des versements" in refus.json()["errors"]["tranches"][0]
    assert Tranche.objects.filter(convention__uid=uid).count() == 3


# --- The existing ledger operations point to conventions ---------------------------------------------------


def test_the_ledger_operations_refuse_a_subsidy_outside_a_convention_with_a_400_on_the_field(charge):
    ecriture = {"date": "2024-05-01", "reference": "R-1", "motif": "Motif", "montant": "10.00"}
    reponse = post(charge, "/api/v1/engagements/", {"projet": "biovallee", "enveloppe": "subvention", **ecriture})
    assert reponse.status_code == 400 and "convention" in reponse.json()["errors"]["enveloppe"][0]

    engagement = Engagement.objects.get(convention__uid=post(charge).json()["uid"])
    reponse = post(charge, "/api/v1/versements/", {"engagement": str(engagement.uid), **ecriture})
    assert reponse.status_code == 400 and "tranche" in reponse.json()["errors"]["tranche"][0]
    reponse = post(charge, f"/api/v1/engagements/{engagement.uid}/desengagements/", ecriture)
    assert reponse.status_code == 400 and "avenant" in reponse.json()["errors"]["engagement"][0]
    assert Engagement.objects.count() == 1 and not Versement.objects.exists()


# --- Lists: filters, incremental sync, CSV ----------------------------------------------------------------


def test_the_tranche_list_filters_by_convention_project_lateness_and_dates(charge, deux_conventions):
    tranches = [
        {"date_prevue": "2024-03-01", "montant": "100000.00", "condition": "À la signature"},
        {"date_prevue": FUTURE.isoformat(), "montant": "200000.00", "condition": "Sur justificatifs"},
    ]
    uid = post(charge, data=corps(tranches=tranches)).json()["uid"]

    def numeros(**params):
        reponse = charge.get(TRANCHES, params)
        assert reponse.status_code == 200, reponse.content
        return sorted((t["reference_convention"], t["numero"]) for t in reponse.json()["results"])

    assert numeros(convention=uid) == [("CONV-2024-001", 1), ("CONV-2024-001", 2)]
    assert numeros(projet="vilagil") == [("C-vilagil", 1)]
    assert numeros(en_retard="true") == [("C-biovallee", 1), ("C-vilagil", 1), ("CONV-2024-001", 1)]
    assert numeros(en_retard="false") == [("CONV-2024-001", 2)]
    assert numeros(date_min="2024-02-15", date_max=AUJOURDHUI.isoformat()) == [("CONV-2024-001", 1)]
    for mauvais in ({"en_retard": "oui"}, {"convention": "pas-un-uuid"}, {"date_min": "hier"}, {"projet": "a b"}):
        assert charge.get(TRANCHES, mauvais).status_code == 400
    assert charge.get(URL, {"projet": "vilagil"}).json()["count"] == 1
    assert charge.get(URL, {"beneficiaire": "association-biovallee"}).json()["count"] == 2
    assert charge.get(URL, {"region": "76"}).json()["count"] == 1
    assert charge.get(URL, {"search": "compostage"}).json()["count"] == 1


def test_updated_since_returns_the_conventions_and_tranches_changed_or_paid_since(charge, deux_conventions):
    moment = timezone.now()
    depuis = {"updated_since": moment.isoformat()}
    assert charge.get(URL, depuis).json()["results"] == []
    assert charge.get(TRANCHES, depuis).json()["results"] == []

    services.tranche_pay(tranche=deux_conventions["vilagil"].tranches.get(), montant="10.00", date="2024-03-01",
                         reference="V-1", by=None)  # fmt: skip

    assert [c["reference"] for c in charge.get(URL, depuis).json()["results"]] == ["C-vilagil"]
    assert [t["reference_convention"] for t in charge.get(TRANCHES, depuis).json()["results"]] == ["C-vilagil"]

    services.convention_update(convention=deux_conventions["biovallee"], data={"objet": "Nouvel objet"}, by=None)
    assert {c["reference"] for c in charge.get(URL, depuis).json()["results"]} == {"C-vilagil", "C-biovallee"}
    assert charge.get(URL, {"updated_since": "hier"}).status_code == 400
    # Each convention once, in the order of their changes, however many of its tranches and payments match.
    directeur = client_for("directeur", regions=["76"])
    assert [c["reference"] for c in directeur.get(URL, depuis).json()["results"]] == ["C-vilagil", "C-biovallee"]
    assert [t["reference_convention"] for t in directeur.get(TRANCHES, depuis).json()["results"]] == ["C-vilagil"]


def test_a_replanned_schedule_is_in_the_incremental_sync(charge, deux_conventions):
    moment = timezone.now()
    convention = deux_conventions["biovallee"]

    services.echeancier_update(
        convention=convention, motif="Report", by=None,
        tranches=[{"numero": 1, "date_prevue": datetime.date(2024, 5, 1), "montant": "1000.00", "condition": "C"}],
    )  # fmt: skip

    assert [c["reference"] for c in charge.get(URL, {"updated_since": moment.isoformat()}).json()["results"]] == [
        "C-biovallee"
    ]


def test_the_csv_of_conventions_and_tranches_is_the_json_of_the_role(deux_conventions):
    partenaire = client_for("partenaire")

    conventions = lignes_csv(partenaire.get(URL, {"format": "csv"}))
    tranches = lignes_csv(partenaire.get(TRANCHES, {"format": "csv"}))

    assert [c["uid"] for c in conventions] == [c["uid"] for c in partenaire.get(URL).json()["results"]]
    (ligne,) = conventions
    assert (ligne["reference"], ligne["beneficiaire.slug"], ligne["beneficiaire.nom"], ligne["montant"]) == (
        "C-biovallee",
        "association-biovallee",
        "Association Biovallée",
        "1000.00",
    )
    assert ligne["etablissement"] == "" and ligne["notification_ue"] == "" and ligne["avenants"] == "[]"
    assert '"verse":"0.00"' in ligne["tranches"] and '"en_retard":true' in ligne["tranches"]
    (tranche,) = tranches
    assert (tranche["reference_convention"], tranche["projet"], tranche["reste"], tranche["en_retard"]) == (
        "C-biovallee",
        "biovallee",
        "1000.00",
        "true",
    )
