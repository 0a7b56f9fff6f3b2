"""charger_laureats: idempotent, in one transaction, refusing malformed records by name."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from config.chargement import FIXTURES_DIR, FixtureError
from laureats.models import Impact, Projet
from portail.chargement import programme_load

pytestmark = pytest.mark.django_db


def _fixture_with(tmp_path: Path, change) -> Path:
    data = json.loads((FIXTURES_DIR / "laureats.json").read_text(encoding="utf-8"))
    change(data["projets"])
    path = tmp_path / "laureats.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _snapshot() -> list:
    return list(Projet.objects.order_by("slug").values()) + list(Impact.objects.order_by("pk").values())


def test_a_second_run_changes_nothing_and_adds_no_history():
    projets_history = Projet.history.count()
    before = _snapshot()

    rapport = programme_load()

    assert rapport.nb_ecritures == 0
    assert _snapshot() == before
    assert Projet.history.count() == projets_history


def test_the_command_says_when_there_is_nothing_to_change(capsys):
    call_command("charger_laureats")
    assert "rien à changer" in capsys.readouterr().out


def test_a_malformed_amount_is_refused_naming_the_record_and_the_field(tmp_path):
    def break_amount(projets):
        projets[2]["subvention_prevue"] = "5,7"
        projets[0]["titre"] = "TITRE MODIFIÉ QUI NE DOIT PAS ÊTRE ÉCRIT"

    path = _fixture_with(tmp_path, break_amount)
    before = _snapshot()

    with pytest.raises(FixtureError) as excinfo:
        programme_load(laureats_path=path)

    message = str(excinfo.value)
    assert "projet n°3 « lyon-saint-etienne-industrie-integree »" in message
    assert "« subvention_prevue »" in message
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("region", "99", "code INSEE « 99 » absent"),
        ("thematiques", ["Cuisine moléculaire"], "« Cuisine moléculaire » absent du vocabulaire"),
        ("population_concernee", "56 000", "entier ≥ 0 attendu"),
        ("impacts_2030", [], "liste non vide attendue"),
        ("objectifs_introduction", ["Deux axes"], r"texte attendu \(vide permis\)"),
        ("budget_previsionnel", 53000000.0, "montant en euros attendu"),
        ("nb_collectivites_declarees", 400, "plus de collectivités que de partenaires"),
    ],
)
def test_each_kind_of_bad_value_gets_a_clear_message(tmp_path, field, value, expected):
    path = _fixture_with(tmp_path, lambda projets: projets[0].__setitem__(field, value))

    with pytest.raises(FixtureError, match=expected) as excinfo:
        programme_load(laureats_path=path)
    assert f"« {field} »" in str(excinfo.value)


def test_a_missing_field_is_named(tmp_path):
    path = _fixture_with(tmp_path, lambda projets: projets[23].pop("ambition"))

    with pytest.raises(FixtureError, match="« ouest-territoires-d-elevage », champ « ambition » : champ manquant"):
        programme_load(laureats_path=path)


def test_invalid_json_is_refused_by_the_command_with_nothing_written(tmp_path):
    path = tmp_path / "laureats.json"
    path.write_text('{"projets": [', encoding="utf-8")
    before = _snapshot()

    with pytest.raises(CommandError, match="rien n'a été écrit.*JSON invalide"):
        call_command("charger_laureats", laureats=path)
    assert _snapshot() == before


def test_a_changed_fiche_text_is_updated_and_kept_in_history(tmp_path):
    def change_impact(projets):
        # Impact 3 is qualitative: no indicator's extract has to be found in it.
        projets[0]["impacts_2030"][2] = "Texte corrigé."

    programme_load(laureats_path=_fixture_with(tmp_path, change_impact))

    impact = Impact.objects.get(projet__slug="biovallee", ordre=3)
    assert impact.texte == "Texte corrigé."
    assert impact.history.first().history_change_reason.startswith("Chargement")


def test_a_record_refused_while_writing_rolls_back_the_records_written_before_it(tmp_path):
    def change(projets):
        projets[0]["titre"] = "TITRE MODIFIÉ QUI NE DOIT PAS RESTER"
        projets[23]["titre"] = "X" * 300  # longer than the column: refused only when written

    before = _snapshot()

    with pytest.raises(FixtureError, match="Rien n'a été enregistré") as excinfo:
        programme_load(laureats_path=_fixture_with(tmp_path, change))
    assert "« ouest-territoires-d-elevage », champ « titre »" in str(excinfo.value)
    assert _snapshot() == before


def test_at_start_up_the_loader_keeps_what_officers_edited(capsys):
    Projet.objects.filter(slug="biovallee").update(titre="BIOVALLÉE (titre modifié par un·e chargé·e)")

    call_command("charger_laureats", "--si-vide")

    assert "déjà chargés" in capsys.readouterr().out
    assert Projet.objects.get(slug="biovallee").titre.endswith("chargé·e)")
