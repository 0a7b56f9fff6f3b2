"""charger_laureats loads the reviewed structured targets of fixtures/indicateurs.json with the laureates."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from config.chargement import FIXTURES_DIR, FixtureError
from indicateurs.models import ImpactQualitatif, Indicateur
from laureats.models import Impact
from portail.chargement import programme_load

pytestmark = pytest.mark.django_db


def _indicateur(projet: str, ordre: int, **extra) -> Indicateur:
    return Indicateur.objects.get(impact__projet__slug=projet, impact__ordre=ordre, **extra)


def _fichier_avec(tmp_path: Path, change) -> Path:
    data = json.loads((FIXTURES_DIR / "indicateurs.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "indicateurs.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _snapshot() -> list:
    return list(Indicateur.objects.order_by("code").values()) + list(ImpactQualitatif.objects.order_by("pk").values())


def test_every_impact_of_the_24_fiches_is_either_quantified_or_qualitative():
    assert Indicateur.objects.count() == 101
    assert ImpactQualitatif.objects.count() == 26
    quantifies = set(Indicateur.objects.values_list("impact_id", flat=True))
    qualitatifs = set(ImpactQualitatif.objects.values_list("impact_id", flat=True))
    assert len(quantifies) == 84
    assert quantifies.isdisjoint(qualitatifs)
    assert quantifies | qualitatifs == set(Impact.objects.values_list("pk", flat=True))


def test_each_indicator_extract_is_a_verbatim_passage_of_its_impact():
    for indicateur in Indicateur.objects.select_related("impact"):
        assert indicateur.extrait in indicateur.impact.texte, indicateur.code


def test_biovallee_local_production_goes_from_178_to_790_kwh():
    indicateur = _indicateur("biovallee", 7)

    assert indicateur.impact.texte == "Passer de 178 à 790 KWh produits localement ;"
    assert (indicateur.valeur_reference, indicateur.valeur_cible) == (Decimal("178"), Decimal("790"))
    assert indicateur.unite == "kWh"
    assert (indicateur.sens, indicateur.mode) == ("hausse", "absolu")
    assert indicateur.date_reference is None
    assert indicateur.echeance == datetime.date(2030, 12, 31)


def test_morbihan_car_use_decreases_from_94_to_80_percent():
    indicateur = _indicateur("morbihan-flexibilite-energetique", 4)

    assert "de 94 % à 80 %" in indicateur.impact.texte
    assert (indicateur.valeur_reference, indicateur.valeur_cible) == (Decimal("94"), Decimal("80"))
    assert (indicateur.unite, indicateur.sens) == ("%", "baisse")


def test_halving_without_a_figure_is_a_relative_target_of_minus_50_percent():
    indicateur = Indicateur.objects.get(code="biovallee-consommation-energie-vallee")

    assert indicateur.mode == "relatif"
    assert (indicateur.valeur_reference, indicateur.valeur_cible) == (Decimal("0"), Decimal("-50"))
    assert indicateur.sens == "baisse"


def test_one_impact_naming_two_quantities_has_two_indicators():
    codes = set(
        Indicateur.objects.filter(impact__projet__slug="biovallee", impact__ordre=4).values_list("code", flat=True)
    )
    assert codes == {"biovallee-deplacements-voiture", "biovallee-emissions-co2-transport"}


@pytest.mark.parametrize(
    ("code", "echeance"),
    [
        ("vilagil-nombre-vehicules", datetime.date(2024, 12, 31)),  # « en 5 ans »
        ("des-hommes-et-des-arbres-chiffre-affaires-cumule", datetime.date(2024, 12, 31)),  # « à l'horizon de 2024 »
        ("construire-au-futur-habiter-le-futur-ilots-fraicheur", datetime.date(2022, 12, 31)),  # « dès 2022 »
        ("dunkerque-energie-creative-jours-pic-pollution", datetime.date(2027, 12, 31)),  # « en 2027 »
        ("strasbourg-territoire-de-sante-de-demain-non-recours-soins", datetime.date(2030, 12, 31)),
    ],
)
def test_a_deadline_named_by_the_fiche_replaces_2030(code, echeance):
    assert Indicateur.objects.get(code=code).echeance == echeance


def test_strasbourg_non_recourse_decreases_from_8_2_to_4_percent():
    indicateur = Indicateur.objects.get(code="strasbourg-territoire-de-sante-de-demain-non-recours-soins")
    assert (indicateur.valeur_reference, indicateur.valeur_cible, indicateur.sens) == (
        Decimal("8.2"),
        Decimal("4"),
        "baisse",
    )


def test_an_unquantified_impact_is_qualitative_with_its_reason():
    qualitatif = ImpactQualitatif.objects.get(impact__projet__slug="biovallee", impact__ordre=3)
    assert qualitatif.raison == "Aucune valeur chiffrée"
    assert not Indicateur.objects.filter(impact=qualitatif.impact).exists()


def test_a_second_load_changes_nothing_and_adds_no_history():
    before, history = _snapshot(), Indicateur.history.count()

    rapport = programme_load()

    assert rapport.nb_ecritures == 0
    assert _snapshot() == before
    assert Indicateur.history.count() == history


def test_a_changed_target_is_updated_and_kept_in_history(tmp_path):
    def change(data):
        data["indicateurs"][6]["valeur_cible"] = "800"

    programme_load(indicateurs_path=_fichier_avec(tmp_path, change))

    indicateur = Indicateur.objects.get(code="biovallee-production-energie-locale")
    assert indicateur.valeur_cible == Decimal("800")
    assert indicateur.history.first().history_change_reason.startswith("Chargement")


def test_an_extract_not_found_in_its_impact_is_refused_naming_the_entry_and_nothing_is_written(tmp_path):
    def change(data):
        data["indicateurs"][0]["libelle"] = "LIBELLÉ QUI NE DOIT PAS ÊTRE ÉCRIT"
        data["indicateurs"][6]["extrait"] = "Passer de 178 à 800 KWh"

    before = _snapshot()

    with pytest.raises(FixtureError) as excinfo:
        programme_load(indicateurs_path=_fichier_avec(tmp_path, change))

    message = str(excinfo.value)
    assert "indicateur n°7 « biovallee-production-energie-locale »" in message
    assert "champ « extrait »" in message and "Passer de 178 à 790 KWh produits localement" in message
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("valeur_cible", 790.0, "nombre décimal attendu"),
        ("valeur_reference", "1 000", "nombre décimal attendu"),
        ("echeance", "31/12/2030", "date AAAA-MM-JJ attendue"),
        ("sens", "monter", "n'est pas une valeur possible"),
        ("impact", 12, r"n'a que 8 impact\(s\)"),
        ("projet", "atlantide", "absent de laureats.json"),
        ("valeur_cible", "100", "une hausse vise plus que la référence"),
    ],
)
def test_each_kind_of_bad_value_is_refused_with_the_field_named(tmp_path, field, value, expected):
    path = _fichier_avec(tmp_path, lambda data: data["indicateurs"][6].__setitem__(field, value))

    with pytest.raises(FixtureError, match=expected) as excinfo:
        programme_load(indicateurs_path=path)
    assert f"« {field} »" in str(excinfo.value)


def test_an_impact_left_out_of_both_lists_is_refused(tmp_path):
    path = _fichier_avec(tmp_path, lambda data: data["qualitatifs"].pop(0))

    with pytest.raises(FixtureError, match="« biovallee » impact n°3"):
        programme_load(indicateurs_path=path)


def test_an_impact_cannot_be_both_quantified_and_qualitative(tmp_path):
    def change(data):
        data["qualitatifs"].append({"projet": "biovallee", "impact": 7, "raison": "Aucune valeur chiffrée"})

    with pytest.raises(FixtureError, match="déjà des indicateurs"):
        programme_load(indicateurs_path=_fichier_avec(tmp_path, change))


def test_a_duplicated_code_is_refused(tmp_path):
    path = _fichier_avec(
        tmp_path, lambda data: data["indicateurs"][1].__setitem__("code", data["indicateurs"][0]["code"])
    )

    with pytest.raises(FixtureError, match="en double : biovallee-consommation-energie-vallee"):
        programme_load(indicateurs_path=path)


def test_a_refused_indicators_file_also_rolls_back_the_laureates(tmp_path):
    laureats = json.loads((FIXTURES_DIR / "laureats.json").read_text(encoding="utf-8"))
    laureats["projets"][0]["titre"] = "TITRE QUI NE DOIT PAS RESTER"
    laureats_path = tmp_path / "laureats.json"
    laureats_path.write_text(json.dumps(laureats, ensure_ascii=False), encoding="utf-8")
    path = _fichier_avec(tmp_path, lambda data: data["indicateurs"][0].__setitem__("extrait", "absent"))

    with pytest.raises(FixtureError):
        programme_load(laureats_path=laureats_path, indicateurs_path=path)

    assert Impact.objects.get(projet__slug="biovallee", ordre=1).projet.titre == "BIOVALLÉE"


def test_the_command_loads_the_indicators_too(capsys):
    Indicateur.objects.filter(code="biovallee-production-energie-locale").update(valeur_cible=1000)

    call_command("charger_laureats")

    assert Indicateur.objects.get(code="biovallee-production-energie-locale").valeur_cible == Decimal("790")
    assert "1 écriture(s)" in capsys.readouterr().out
