"""`?format=csv` on the API's lists: RFC 4180 for programs, every row of the filtered list, streamed."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from financements.models import Enveloppe
from laureats.models import Organisation, Projet
from tests import grand_livre as services
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db


def client_de(role: str | None = None, **kwargs) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role, **kwargs))}") if role else Client()


def corps(reponse) -> str:
    assert isinstance(reponse, StreamingHttpResponse), "the CSV of a list is streamed"
    return b"".join(reponse.streaming_content).decode("utf-8")


def lignes(reponse) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(corps(reponse), newline="")))


def tout_le_json(client: Client, url: str, params: dict) -> list[dict]:
    """Every result of a JSON list, page after page."""
    resultats, page = [], client.get(url, {**params, "page_size": 100}).json()
    resultats += page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        resultats += page["results"]
    return resultats


def engager(slug: str, montant: str, reference: str):
    return services.engagement_create(
        projet=Projet.objects.get(slug=slug), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal(montant), date=datetime.date(2024, 3, 1), reference=reference, motif="Convention", by=None,
    )  # fmt: skip


# The file's shape: RFC 4180


def test_a_list_is_rfc_4180_comma_separated_crlf_utf8_without_a_byte_order_mark():
    reponse = Client().get("/api/v1/regions/", {"format": "csv"})

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert reponse["Content-Disposition"] == 'attachment; filename="region.csv"'
    texte = corps(Client().get("/api/v1/regions/", {"format": "csv"}))
    assert not texte.startswith("\ufeff")  # programs read the charset from the header; a BOM would pollute "code"
    assert texte.endswith("\r\n") and "\n" not in texte.replace("\r\n", "")
    assert texte.split("\r\n")[0] == "code,nom,nature,nb_projets,directions_regionales,modifie_le"
    assert "\r\n84,Auvergne-Rhône-Alpes,region,3," in texte


def test_nested_objects_become_columns_and_lists_json_cells():
    (biovallee,) = [r for r in lignes(Client().get("/api/v1/projets/", {"format": "csv"})) if r["slug"] == "biovallee"]

    assert (biovallee["region.code"], biovallee["region.nom"]) == ("84", "Auvergne-Rhône-Alpes")
    assert biovallee["chef_de_file.nom"] == "Association Biovallée" and biovallee["chef_de_file.siren"] == ""
    # Decimal strings with a point, as in the JSON; an integer as an integer.
    assert (biovallee["subvention_prevue"], biovallee["population_concernee"]) == ("5700000.00", "56000")
    assert json.loads(biovallee["thematiques"]) == ["Transition écologique et énergétique", "Agroécologie"]
    assert json.loads(biovallee["thematiques_normalisees"]) == [
        {"slug": "transition-ecologique-et-energetique", "libelle": "Transition écologique et énergétique"},
        {"slug": "agroecologie", "libelle": "Agroécologie"},
    ]


def test_the_columns_are_the_serializers_fields_so_a_nested_object_a_method_returns_is_flattened_too():
    entete = next(csv.reader(io.StringIO(corps(Client().get("/api/v1/indicateurs/", {"format": "csv"})))))

    # `derniere_evaluation` is a method documented with its serializer: its fields are columns.
    assert "derniere_evaluation.statut" in entete and "derniere_evaluation.avancement" in entete
    assert "derniere_evaluation" not in entete


def test_booleans_are_true_or_false_and_null_an_empty_cell():
    rows = {r["code"]: r for r in lignes(Client().get("/api/v1/enveloppes/", {"format": "csv"}))}

    # The fiches add up to more than each envelope's ceiling (DESIGN: the portal shows it, never fixes it).
    assert rows["subvention"]["allocations_depassent_plafond"] == "true"
    assert rows["subvention"]["taux_versement"] == ""  # nothing committed: no rate, not 0
    assert "True" not in corps(Client().get("/api/v1/enveloppes/", {"format": "csv"}))


def test_an_empty_list_still_gives_its_header():
    texte = corps(client_de("charge").get("/api/v1/engagements/", {"format": "csv"}))

    assert texte == (
        "uid,nature,projet,region,enveloppe,convention,engagement_origine,montant,date,reference,motif,depasse_potentiel,"
        "justification_depassement,engage_projet_avant,engage_projet_apres,auteur,cree_le\r\n"
    )


# Every row of the filtered list, exactly the JSON's


@pytest.fixture
def organisations():
    """250 more organisations: the JSON list needs three pages of 100."""
    natures = ["collectivite", "entreprise"]
    Organisation.objects.bulk_create(
        Organisation(nom=f"Coopérative {n:03d}", slug=f"cooperative-{n:03d}", nature=natures[n % 2]) for n in range(250)
    )


def test_the_csv_streams_every_row_not_the_first_page(organisations):
    rows = lignes(Client().get("/api/v1/organisations/", {"format": "csv"}))

    assert len(rows) == Organisation.objects.count() > 250


def test_a_filtered_searched_ordered_csv_has_exactly_the_rows_of_the_json_across_its_pages(organisations):
    params = {"nature": "collectivite", "search": "Coopérative", "ordering": "-nom"}

    rows = lignes(Client().get("/api/v1/organisations/", {**params, "format": "csv"}))
    attendues = tout_le_json(Client(), "/api/v1/organisations/", params)

    assert len(attendues) == 125
    assert [r["slug"] for r in rows] == [o["slug"] for o in attendues]
    assert [r["nature"] for r in rows] == ["collectivite"] * 125


def test_the_rows_are_read_and_sent_a_block_at_a_time(organisations, monkeypatch):
    from config.api_tools import ListeMixin

    monkeypatch.setattr(ListeMixin, "csv_chunk_size", 100)
    reponse = Client().get("/api/v1/organisations/", {"format": "csv"})

    blocs = list(reponse.streaming_content)
    # The header and 99 rows, then 100 rows a block: never the whole file in one piece.
    assert len(blocs) == -(-(1 + Organisation.objects.count()) // 100) >= 3
    assert all(bloc.count(b"\r\n") == 100 for bloc in blocs[:-1])


def test_a_partner_reads_in_csv_exactly_the_entries_it_reads_in_json():
    engager("biovallee", "1000.00", "CP-BIO")
    engager("vilagil", "2000.00", "CP-VIL")  # another organisation's project
    partenaire = client_de("partenaire")

    rows = lignes(partenaire.get("/api/v1/engagements/", {"format": "csv"}))

    assert [r["uid"] for r in rows] == [e["uid"] for e in tout_le_json(partenaire, "/api/v1/engagements/", {})]
    assert [(r["projet"], r["reference"], r["montant"]) for r in rows] == [("biovallee", "CP-BIO", "1000.00")]
    assert {r["reference"] for r in lignes(client_de("charge").get("/api/v1/engagements/", {"format": "csv"}))} == {
        "CP-BIO", "CP-VIL",
    }  # fmt: skip


def test_a_bad_filter_in_csv_is_a_readable_400_not_a_file():
    reponse = client_de("charge").get("/api/v1/engagements/", {"format": "csv", "region": "zz"})

    assert reponse.status_code == 400
    assert reponse["Content-Type"] == "application/problem+json"
    assert "region" in json.loads(reponse.content)["errors"]


def test_an_anonymous_csv_of_a_private_list_is_refused_as_in_json():
    reponse = Client().get("/api/v1/jetons/", {"format": "csv"})

    assert reponse.status_code in (401, 403)
    assert not reponse["Content-Type"].startswith("text/csv")


def test_the_101_indicators_come_in_one_file_in_a_fixed_number_of_queries(django_assert_num_queries):
    attendus = [i["code"] for i in tout_le_json(Client(), "/api/v1/indicateurs/", {})]

    # The ETag's aggregate; the rows with impact, project and region; their latest evaluations.
    with django_assert_num_queries(3):
        rows = lignes(Client().get("/api/v1/indicateurs/", {"format": "csv"}))

    assert len(attendus) == 101 and [r["code"] for r in rows] == attendus


def test_a_nested_list_action_streams_every_row_too():
    from indicateurs.models import Evaluation, Indicateur, Statut

    indicateur = Indicateur.objects.get(code="biovallee-production-energie-locale")
    debut = datetime.date(2024, 1, 1)
    Evaluation.objects.bulk_create(
        Evaluation(indicateur=indicateur, date=debut + datetime.timedelta(days=n), statut=Statut.NON_RENSEIGNE)
        for n in range(150)
    )
    url = f"/api/v1/indicateurs/{indicateur.code}/evaluations/"

    reponse = Client().get(url, {"format": "csv"})
    rows = lignes(reponse)

    assert reponse["Content-Disposition"] == 'attachment; filename="indicateur-evaluations.csv"'
    assert [r["date"] for r in rows] == [e["date"] for e in tout_le_json(Client(), url, {})]
    assert len(rows) == 150 and rows[0]["date"] == "2024-05-29" and rows[0]["reference_constatee"] == "false"
