"""Each fiche's objectives and 2030 impacts in the database are exactly the press kit's bullets.

The lists are recomputed here from the press kit's text, with a parser of its
own that never reads fixtures/: a fiche whose objectives the loader skipped, cut
or padded fails, and so does prose stored as if it were an objective.
"""

import re

import pytest
from django.conf import settings

from laureats.models import Projet

pytestmark = pytest.mark.django_db

# An amount line ends the last section: "5,7", "**4,6**", "**6,05 M€** Montant prévu…".
MONTANT = re.compile(r"^\**\d+(?:,\d+)?\**(?:\s*M€\**.*)?$")


def _normalise(text: str) -> str:
    text = re.sub(r"</?su[bp]>", "", text).replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def _fiches() -> dict[str, str]:
    kit = settings.PRESS_KIT_PATH.read_text(encoding="utf-8")
    body = kit.split("## Aide à la lecture des fiches", 1)[1].split("# Une initiative portée", 1)[0]
    parts = re.split(r"^# (.+)$", body, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _sections(raw: str) -> list[tuple[str | None, list[str]]]:
    """The fiche cut at its "## " headings; None heads what comes before the first one."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in raw.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        else:
            sections[-1][1].append(line)
    return sections


def _liste(lines: list[str]) -> tuple[str, list[str], str]:
    """A section's prose before its bullets, its bullets, and its prose after them."""
    avant, puces, apres = [], [], []
    for line in lines:
        if MONTANT.match(line.strip()):
            break
        if not line.strip():
            continue
        if line.startswith("- "):
            assert not apres, "de la prose entre deux puces"
            puces.append(_normalise(line[2:]))
        else:
            (apres if puces else avant).append(_normalise(line))
    return " ".join(avant), puces, " ".join(apres)


def _textes(raw: str) -> dict:
    sections = _sections(raw)
    (objectifs,) = [_liste(lines) for titre, lines in sections if titre and titre.startswith("OBJECTIFS")]
    (impacts,) = [_liste(lines) for titre, lines in sections if titre and titre.startswith("IMPACTS")]
    # VILAGIL's layout lost a heading: after the fiche's header ("… personnes concernées") come
    # three bullets under no heading. They end its objectives list, whose last headed item ends in ";".
    entete = "\n".join(sections[0][1]).split("personnes concernées", 1)[1]
    suite = [_normalise(line[2:]) for line in entete.splitlines() if line.startswith("- ")]
    return {
        "objectifs_introduction": objectifs[0],
        "objectifs": objectifs[1] + suite,
        "objectifs_conclusion": objectifs[2],
        "impacts_introduction": impacts[0],
        "impacts": impacts[1],
        "impacts_conclusion": impacts[2],
    }


FICHES = {titre: _textes(raw) for titre, raw in _fiches().items()}


def test_the_parser_reads_24_fiches_each_with_objectives_and_impacts():
    assert len(FICHES) == 24
    assert all(len(t["objectifs"]) >= 2 and len(t["impacts"]) >= 2 for t in FICHES.values())
    assert sum(len(t["objectifs"]) for t in FICHES.values()) == 104
    assert sum(len(t["impacts"]) for t in FICHES.values()) == 110


@pytest.mark.parametrize("ordre", range(1, 25))
def test_each_laureate_has_exactly_the_objectives_and_impacts_of_its_fiche(ordre):
    projet = Projet.objects.get(ordre=ordre)
    fiche = FICHES[projet.titre]

    objectifs = list(projet.objectifs.order_by("ordre").values_list("ordre", "texte"))
    impacts = list(projet.impacts.order_by("ordre").values_list("ordre", "texte"))

    assert len(objectifs) >= 1 and len(impacts) >= 1
    assert objectifs == list(enumerate(fiche["objectifs"], start=1))
    assert impacts == list(enumerate(fiche["impacts"], start=1))
    assert projet.objectifs_introduction == fiche["objectifs_introduction"]
    assert projet.objectifs_conclusion == fiche["objectifs_conclusion"]


def test_only_two_fiches_frame_their_objectives_with_prose_and_no_fiche_frames_its_impacts():
    encadres = {
        titre: (t["objectifs_introduction"][:40], t["objectifs_conclusion"][:40])
        for titre, t in FICHES.items()
        if t["objectifs_introduction"] or t["objectifs_conclusion"]
    }
    assert encadres == {
        "TERRES DE SOURCES": ("Deux axes principaux seront développés a", "Une politique ambitieuse de sensibilisat"),
        "AMBITION PYRÉNÉES": ("Ce projet vise à réinventer le modèle de", ""),
    }
    assert not any(t["impacts_introduction"] or t["impacts_conclusion"] for t in FICHES.values())
