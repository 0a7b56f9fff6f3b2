"""charger_laureats reports, per kind of row, how many it created, changed and left alone, and writes only those.

The expected counts are recomputed from the fixture files, never read back from the loader.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from config.chargement import CHANGE_REASON, FIXTURES_DIR
from financements.models import Allocation, Enveloppe
from laureats.models import Objectif, Organisation, Partenariat, Projet, ProjetThematique
from portail.chargement import programme_load
from territoires.models import DirectionRegionale, Label, Region

pytestmark = pytest.mark.django_db


def _lire(nom: str) -> dict:
    return json.loads((FIXTURES_DIR / nom).read_text(encoding="utf-8"))


def _ecrire(tmp_path: Path, nom: str, data: dict) -> Path:
    path = tmp_path / nom
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _lignes_du_dossier() -> Counter:
    """How many rows of each kind the three fixture files describe."""
    ref, projets, ind = _lire("referentiels.json"), _lire("laureats.json")["projets"], _lire("indicateurs.json")
    return Counter(
        {
            "régions": len(ref["regions"]),
            "directions régionales de la Banque des Territoires": len(ref["directions_regionales"]),
            "enveloppes": len(ref["enveloppes"]),
            "thématiques": len(ref["thematiques"]),
            "types de territoire": len(ref["types_territoire"]),
            "labels": len(ref["labels"]),
            "organisations": len({o["nom"] for o in ref["organisations"]}),
            "projets lauréats": len(projets),
            # The lead partner plus each co-carrier.
            "partenariats": sum(1 + len(p["co_porteurs"]) for p in projets),
            "thématiques du projet": sum(len(p["thematiques"]) for p in projets),
            "types de territoire du projet": sum(len(p["types_territoire"]) for p in projets),
            "objectifs stratégiques": sum(len(p["objectifs"]) for p in projets),
            "impacts à horizon 2030": sum(len(p["impacts_2030"]) for p in projets),
            # One grant and one equity investment per laureate.
            "allocations": 2 * len(projets),
            "indicateurs": len(ind["indicateurs"]),
            "impacts qualitatifs": len(ind["qualitatifs"]),
        }
    )


def test_a_second_load_reports_every_row_of_the_files_as_unchanged():
    dossier = _lignes_du_dossier()
    historique_directions = DirectionRegionale.history.count()

    rapport = programme_load()

    # A direction's regions are rewritten only when they differ: no new history row.
    assert DirectionRegionale.history.count() == historique_directions

    assert (rapport.crees, rapport.modifies, rapport.inchanges) == (Counter(), Counter(), dossier)
    assert rapport.lignes() == [
        f"{nom} : 0 créé(s), 0 modifié(s), {nombre} inchangé(s)" for nom, nombre in sorted(dossier.items())
    ]


def test_the_verbose_command_prints_one_line_per_kind_of_row(capsys):
    call_command("charger_laureats", verbosity=2)

    sortie = capsys.readouterr().out.splitlines()
    assert sortie[0] == "allocations : 0 créé(s), 0 modifié(s), 48 inchangé(s)"
    assert sortie[-1] == "Chargement terminé : rien à changer."


def _dossier_modifie(tmp_path: Path) -> dict[str, Path]:
    ref, laureats = _lire("referentiels.json"), _lire("laureats.json")
    ref["regions"][0]["nom"] = "Auvergne-Rhône-Alpes (nom corrigé)"
    ref["regions"][1]["nom"] = "Bourgogne-Franche-Comté (nom corrigé)"
    # Every envelope changes: a kind of row with nothing left unchanged still gets its line.
    for enveloppe in ref["enveloppes"]:
        enveloppe["libelle"] += " (libellé corrigé)"
    ref["labels"].append(
        {"slug": "petites-villes-de-demain", "nom": "Petites villes de demain", "description": "Programme de l'ANCT."}
    )
    ref["organisations"].append({"nom": "Coopérative des Baronnies", "nature": "association"})
    # Bretagne's direction also covers the Pays de la Loire (code 52).
    bretagne = next(d for d in ref["directions_regionales"] if d["slug"] == "dr-bretagne")
    bretagne["regions"] = ["53", "52"]

    biovallee, valence = laureats["projets"][0], laureats["projets"][1]
    biovallee["titre"] = "BIOVALLÉE (titre corrigé)"
    biovallee["co_porteurs"] = ["Coopérative des Baronnies"]
    biovallee["thematiques"] = list(reversed(biovallee["thematiques"]))
    # The first objective is reworded, then the fifth is deleted: both count as changes.
    biovallee["objectifs"] = ["Réduire les flux de mobilité et les décarboner ;", *biovallee["objectifs"][1:-1]]
    biovallee["subvention_prevue"] = "5600000.00"
    valence["thematiques"] = list(reversed(valence["thematiques"]))
    valence["objectifs"] = [*valence["objectifs"], "Accueillir cent jeunes pousses.", "Former mille salariés."]
    return {
        "referentiels_path": _ecrire(tmp_path, "referentiels.json", ref),
        "laureats_path": _ecrire(tmp_path, "laureats.json", laureats),
    }


def test_each_change_of_the_files_is_reported_where_it_was_written(tmp_path):
    dossier = _lignes_du_dossier()

    rapport = programme_load(**_dossier_modifie(tmp_path))

    crees = Counter({"labels": 1, "organisations": 1, "partenariats": 1, "objectifs stratégiques": 2})
    # Biovallée's first objective is reworded and its fifth deleted; the themes of Biovallée (2) and
    # Valence (3) are rewritten in their new order.
    modifies = Counter(
        {
            "régions": 2,
            "enveloppes": 2,
            "projets lauréats": 1,
            "objectifs stratégiques": 1 + 1,
            "thématiques du projet": 2 + 3,
            "allocations": 1,
        }
    )
    # Rows created are new to the files; every row of the files not changed (or deleted) is left alone.
    inchanges = dossier - modifies
    assert (rapport.crees, rapport.modifies, rapport.inchanges) == (crees, modifies, inchanges)
    assert rapport.nb_ecritures == 5 + 13
    assert rapport.lignes() == [
        f"{nom} : {crees[nom]} créé(s), {modifies[nom]} modifié(s), {inchanges[nom]} inchangé(s)"
        for nom in sorted(dossier)
    ]
    assert "enveloppes : 0 créé(s), 2 modifié(s), 0 inchangé(s)" in rapport.lignes()


def test_each_change_of_the_files_is_written(tmp_path):
    programme_load(**_dossier_modifie(tmp_path))

    assert set(Region.objects.filter(code__in=["84", "27"]).values_list("nom", flat=True)) == {
        "Auvergne-Rhône-Alpes (nom corrigé)",
        "Bourgogne-Franche-Comté (nom corrigé)",
    }
    assert Label.objects.get(slug="petites-villes-de-demain").nom == "Petites villes de demain"
    assert set(DirectionRegionale.objects.get(slug="dr-bretagne").regions.values_list("code", flat=True)) == {
        "53",
        "52",
    }
    projet = Projet.objects.get(slug="biovallee")
    assert projet.titre == "BIOVALLÉE (titre corrigé)"
    assert set(Partenariat.objects.filter(projet=projet).values_list("organisation__nom", "role")) == {
        ("Association Biovallée", Partenariat.Role.CHEF_DE_FILE),
        ("Coopérative des Baronnies", Partenariat.Role.CO_PORTEUR),
    }
    assert Organisation.objects.get(nom="Coopérative des Baronnies").nature == "association"
    assert list(projet.thematiques_fiche.order_by("ordre").values_list("libelle_fiche", "ordre")) == [
        ("Agroécologie", 1),
        ("Transition écologique et énergétique", 2),
    ]
    assert ProjetThematique.history.filter(projet_id=projet.pk).latest("history_date").history_change_reason == (
        CHANGE_REASON
    )
    assert list(Objectif.objects.filter(projet=projet).values_list("ordre", flat=True)) == [1, 2, 3, 4]
    assert Objectif.objects.get(projet=projet, ordre=1).texte == "Réduire les flux de mobilité et les décarboner ;"
    assert list(
        Objectif.objects.filter(projet__slug="valence-romans-start-ups-de-territoire", ordre__gt=2).values_list(
            "ordre", "texte"
        )
    ) == [(3, "Accueillir cent jeunes pousses."), (4, "Former mille salariés.")]
    allocation = Allocation.objects.get(projet=projet, enveloppe__code=Enveloppe.Code.SUBVENTION)
    assert (str(allocation.montant), allocation.plafonnee) == ("5600000.00", True)


def test_every_direction_covers_the_regions_of_the_reference_file():
    attendu = {d["slug"]: set(d["regions"]) for d in _lire("referentiels.json")["directions_regionales"]}

    lues = {
        direction.slug: {region.code for region in direction.regions.all()}
        for direction in DirectionRegionale.objects.prefetch_related("regions")
    }

    assert lues == attendu


def test_each_allocation_is_capped_as_its_envelope_says():
    plafonnees = {e["code"]: e["plafonne_par_projet"] for e in _lire("referentiels.json")["enveloppes"]}

    lues = set(Allocation.objects.values_list("enveloppe__code", "plafonnee"))

    assert lues == set(plafonnees.items())


def test_an_organisation_named_at_length_is_found_by_its_identifier_cut_to_120_characters(tmp_path):
    nom = "Syndicat mixte " + "du bassin versant de la Drôme et de ses affluents " * 3
    ref, laureats, indicateurs = _lire("referentiels.json"), _lire("laureats.json"), _lire("indicateurs.json")
    ref["organisations"].append({"nom": nom, "nature": "collectivite"})
    laureats["projets"][0]["co_porteurs"] = [nom]
    # A 25th laureate led by the same organisation, with one qualitative impact.
    laureats["projets"].append(
        {
            **laureats["projets"][0],
            "slug": "bassin-de-la-drome",
            "ordre": 25,
            "chef_de_file": {"nom": nom, "libelle": nom},
            "co_porteurs": [],
            "impacts_2030": ["Restaurer la continuité écologique de la rivière."],
        }
    )
    indicateurs["qualitatifs"].append({"projet": "bassin-de-la-drome", "impact": 1, "raison": "Aucune valeur chiffrée"})

    programme_load(
        referentiels_path=_ecrire(tmp_path, "referentiels.json", ref),
        laureats_path=_ecrire(tmp_path, "laureats.json", laureats),
        indicateurs_path=_ecrire(tmp_path, "indicateurs.json", indicateurs),
    )

    organisation = Organisation.objects.get(nom=nom)
    assert len(nom) > 150 and len(organisation.slug) == 120
    assert organisation.slug == (
        "syndicat-mixte-du-bassin-versant-de-la-drome-et-de-ses-affluents-"
        "du-bassin-versant-de-la-drome-et-de-ses-affluents-du-ba"
    )
    assert set(Partenariat.objects.filter(organisation=organisation).values_list("projet__slug", "role")) == {
        ("biovallee", Partenariat.Role.CO_PORTEUR),
        ("bassin-de-la-drome", Partenariat.Role.CHEF_DE_FILE),
    }
    assert Projet.objects.get(slug="bassin-de-la-drome").chef_de_file == organisation
