"""The prose that frames a fiche's objectives is kept verbatim beside the list, never as an objective."""

import re

import pytest

pytestmark = pytest.mark.django_db

INTRO_TERRES = "Deux axes principaux seront développés afin d'atteindre cette ambition :"
CONCLUSION_TERRES = (
    "Une politique ambitieuse de sensibilisation et d'éducation à la consommation responsable sera "
    "également mise en œuvre par l'ensemble des acteurs du territoire."
)
INTRO_PYRENEES = (
    "Ce projet vise à réinventer le modèle des Pyrénées en faisant de ce territoire une zone "
    "d'expérimentation de nouvelles offres industrielles et servicielles au service de la transition "
    "énergétique et environnementale :"
)


def test_the_api_detail_gives_the_prose_apart_from_the_list_of_objectives(api_client):
    body = api_client.get("/api/v1/projets/terres-de-sources/").json()

    assert body["objectifs_introduction"] == INTRO_TERRES
    assert body["objectifs_conclusion"] == CONCLUSION_TERRES
    assert [o[:30] for o in body["objectifs"]] == [
        "Développer la demande pour sou",
        "Faire évoluer l'offre agricole",
    ]


def test_the_api_detail_of_ambition_pyrenees_lists_its_three_objectives_after_the_lead_in(api_client):
    body = api_client.get("/api/v1/projets/ambition-pyrenees/").json()

    assert body["objectifs_introduction"] == INTRO_PYRENEES
    assert body["objectifs_conclusion"] == ""
    assert body["objectifs"] == [
        "Le développement de l'efficacité énergétique ;",
        "La construction d'un modèle agricole responsable et profitable ;",
        "L'accompagnement aux nouveaux usages et aux modèles économiques de demain.",
    ]


def test_a_fiche_without_framing_prose_has_both_fields_blank(api_client):
    body = api_client.get("/api/v1/projets/biovallee/").json()
    assert (body["objectifs_introduction"], body["objectifs_conclusion"]) == ("", "")
    assert len(body["objectifs"]) == 5


def test_the_list_does_not_carry_the_prose(api_client):
    projet = api_client.get("/api/v1/projets/", {"page_size": 100}).json()["results"][0]
    assert "objectifs_introduction" not in projet and "objectifs_conclusion" not in projet


def test_the_project_page_shows_the_introduction_before_the_list_and_the_conclusion_after_it(client):
    page = client.get("/projets/terres-de-sources/").content.decode()
    section = page.split("<h2>Objectifs stratégiques</h2>", 1)[1].split("<h2>", 1)[0]

    intro, liste, conclusion = re.fullmatch(r"\s*(.*?)\s*<ol>(.*?)</ol>\s*(.*?)\s*", section, flags=re.S).groups()
    assert intro == "<p>Deux axes principaux seront développés afin d&#x27;atteindre cette ambition :</p>"
    assert re.findall(r"<li>(.{30})", liste) == ["Développer la demande pour sou", "Faire évoluer l&#x27;offre agr"]
    assert conclusion.startswith("<p>Une politique ambitieuse de sensibilisation") and conclusion.endswith("</p>")


def test_a_project_page_without_prose_shows_only_the_list(client):
    page = client.get("/projets/biovallee/").content.decode()
    section = page.split("<h2>Objectifs stratégiques</h2>", 1)[1].split("<h2>", 1)[0]
    assert re.fullmatch(r"\s*<ol>(<li>[^<]+</li>){5}</ol>\s*", section)
