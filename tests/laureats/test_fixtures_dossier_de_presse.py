"""The 24 laureates in the database are exactly what the press kit says, fiche by fiche.

The press kit is read here with its own small parser, independent of the
fixture files, so a transcription error in fixtures/ fails these tests.
"""

import re
from decimal import Decimal

import pytest
from django.conf import settings

from financements.models import Allocation
from laureats.models import Projet

pytestmark = pytest.mark.django_db


def _normalise(text: str) -> str:
    text = re.sub(r"</?su[bp]>", "", text).replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def _millions(value: str) -> Decimal:
    return (Decimal(value.replace(",", ".")) * 1_000_000).quantize(Decimal("0.01"))


def _entier(value: str) -> int:
    return int(re.sub(r"\s", "", value))


def _fiches() -> dict[str, str]:
    """Each fiche's text, by its heading, from the help section to the closing pages."""
    kit = settings.PRESS_KIT_PATH.read_text(encoding="utf-8")
    body = kit.split("## Aide à la lecture des fiches", 1)[1].split("# Une initiative portée", 1)[0]
    parts = re.split(r"^# (.+)$", body, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


FICHES = _fiches()


def _projets() -> list[Projet]:
    return list(Projet.objects.select_related("region", "chef_de_file").order_by("ordre"))


def test_the_press_kit_has_24_fiches_and_the_portal_24_laureates():
    assert len(FICHES) == 24
    assert Projet.objects.count() == 24
    assert set(Projet.objects.values_list("titre", flat=True)) == set(FICHES)


@pytest.mark.parametrize("ordre", range(1, 25))
def test_each_laureate_has_the_figures_of_its_fiche(ordre):
    projet = Projet.objects.select_related("chef_de_file").get(ordre=ordre)
    fiche = _normalise(FICHES[projet.titre])

    partenaires, collectivites = re.search(r"(\d[\d ]*) partenaires? dont (\d+) collectivités?", fiche).groups()
    assert projet.nb_partenaires_declares == _entier(partenaires)
    assert projet.nb_collectivites_declarees == _entier(collectivites)
    assert projet.population_concernee == _entier(re.search(r"(\d[\d ]*) personnes concernées", fiche)[1])

    budget = re.search(r"budget prévisionnel du projet atteint (\d+(?:,\d+)?) M€", fiche)
    assert projet.budget_previsionnel == (_millions(budget[1]) if budget else None)

    allocations = dict(Allocation.objects.filter(projet=projet).values_list("enveloppe__code", "montant"))
    assert allocations["subvention"] == _millions(re.search(r"(\d+(?:,\d+)?) M€ Montant prévu", fiche)[1])
    assert allocations["investissement"] == _millions(re.search(r"(\d+(?:,\d+)?) M€ Potentiel", fiche)[1])

    chef = re.search(r"Chef de file : (.+?) -? ?\d[\d ]* partenaires", fiche)[1]
    assert projet.chef_de_file_libelle == chef
    assert chef.startswith(projet.chef_de_file.nom)


@pytest.mark.parametrize("ordre", range(1, 25))
def test_each_laureate_keeps_its_fiche_texts_verbatim_and_in_order(ordre):
    projet = Projet.objects.get(ordre=ordre)
    raw = FICHES[projet.titre]
    fiche = _normalise(raw)

    for paragraphe in projet.ambition.split("\n\n"):
        assert _normalise(paragraphe) in fiche
    impacts = [i.texte for i in projet.impacts.order_by("ordre")]
    objectifs = [o.texte for o in projet.objectifs.order_by("ordre")]
    for texte in impacts + objectifs:
        assert texte == texte.strip() and texte in fiche

    # The impacts are the bullets of the fiche's 2030 section, all of them, in order.
    section = re.split(r"## IMPACTS[^\n]*2030[^\n]*\n", raw)[1].strip()
    bullets = re.match(r"(?:- [^\n]*\s*)+", section)[0].splitlines()
    bullets = [_normalise(line[2:]) for line in bullets if line.startswith("- ")]
    assert impacts == bullets


def test_le_havre_has_no_provisional_budget_and_none_is_invented():
    assert Projet.objects.get(slug="le-havre-smart-port-city").budget_previsionnel is None
    assert Projet.objects.filter(budget_previsionnel__isnull=True).count() == 1


def test_the_fiches_spelling_variants_map_to_one_vocabulary_entry_each():
    morbihan = Projet.objects.get(slug="morbihan-flexibilite-energetique")
    biovallee = Projet.objects.get(slug="biovallee")
    lien_morbihan = morbihan.thematiques_fiche.get(ordre=1)
    lien_biovallee = biovallee.thematiques_fiche.get(ordre=1)
    assert lien_morbihan.libelle_fiche == "Transition énergétique et écologique"
    assert lien_biovallee.libelle_fiche == "Transition écologique et énergétique"
    assert lien_morbihan.thematique == lien_biovallee.thematique

    lyon = Projet.objects.get(slug="lyon-saint-etienne-industrie-integree")
    assert lyon.types_territoire_fiche.get(libelle_fiche="Métropoles").type_territoire.slug == "metropole"
    villes = Projet.objects.filter(types_territoire_fiche__libelle_fiche__in=["Ville moyenne", "Villes moyennes"])
    assert set(villes.values_list("types_territoire__slug", flat=True).distinct()) == {"ville-moyenne"}


def test_the_declared_partners_are_kept_apart_from_the_recorded_partnerships():
    belfort = Projet.objects.get(slug="belfort-montbeliard-territoire-industriel")
    assert belfort.nb_partenaires_declares == 40
    assert sorted(belfort.partenariats.values_list("role", flat=True)) == ["chef_de_file", "co_porteur"]
