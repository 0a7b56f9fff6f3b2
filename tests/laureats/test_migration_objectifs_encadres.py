"""Migration 0004 moves the prose the first loader stored as objectives, on an existing database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from laureats.models import Objectif, Projet
from tests.laureats.test_listes_dossier_de_presse import FICHES

pytestmark = [pytest.mark.django_db(transaction=True)]

AVANT, APRES = ("laureats", "0003_index_listes"), ("laureats", "0004_objectifs_introduction_conclusion")
ENCADRES = {"terres-de-sources": "TERRES DE SOURCES", "ambition-pyrenees": "AMBITION PYRÉNÉES"}


def _migrer(cible) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([cible])


def _migrer_jusqu_au_bout() -> None:
    """The latest schema again: going back to AVANT also undid the migrations that follow APRES."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _objectifs(slug: str) -> list[tuple[int, str]]:
    return list(Objectif.objects.filter(projet__slug=slug).order_by("ordre").values_list("ordre", "texte"))


def test_the_prose_goes_back_to_the_objectives_on_rollback_and_out_again_in_order(programme_charge):
    try:
        _migrer(AVANT)
        # The old shape, as the first loader wrote it: the prose first and last in the list.
        for slug, titre in ENCADRES.items():
            fiche = FICHES[titre]
            attendu = [fiche["objectifs_introduction"], *fiche["objectifs"], fiche["objectifs_conclusion"]]
            assert _objectifs(slug) == list(enumerate([t for t in attendu if t], start=1))
        assert len(_objectifs("biovallee")) == 5

        _migrer(APRES)
    finally:
        _migrer_jusqu_au_bout()

    for slug, titre in ENCADRES.items():
        fiche = FICHES[titre]
        projet = Projet.objects.get(slug=slug)
        assert _objectifs(slug) == list(enumerate(fiche["objectifs"], start=1))
        assert projet.objectifs_introduction == fiche["objectifs_introduction"]
        assert projet.objectifs_conclusion == fiche["objectifs_conclusion"]
        # The move is in the history, as an officer's edit would be.
        assert projet.history.latest().history_change_reason == "Texte d'encadrement des objectifs déplacé"
        assert Objectif.history.filter(
            projet_id=projet.pk, history_type="-", texte=fiche["objectifs_introduction"]
        ).exists()
    assert len(_objectifs("biovallee")) == 5


def test_objectives_an_officer_has_already_reworded_are_left_alone(programme_charge):
    try:
        _migrer(AVANT)
        Objectif.objects.filter(projet__slug="ambition-pyrenees", ordre=1).update(texte="Objectif réécrit :")
        avant = _objectifs("ambition-pyrenees")

        _migrer(APRES)
    finally:
        _migrer_jusqu_au_bout()

    assert _objectifs("ambition-pyrenees") == avant
    assert Projet.objects.get(slug="ambition-pyrenees").objectifs_introduction == ""
