"""Officers edit, add, remove and reorder objectives and 2030 impacts, kept verbatim and in order."""

import pytest

from laureats.models import Impact, Objectif, Projet

pytestmark = pytest.mark.django_db


def textes(model) -> list[str]:
    return list(model.objects.filter(projet__slug="biovallee").order_by("ordre").values_list("texte", flat=True))


def test_an_officer_corrects_an_objective_text(charge):
    objectif = Objectif.objects.get(projet__slug="biovallee", ordre=2)
    response = charge.post(
        f"/projets/biovallee/objectifs/{objectif.pk}/modifier/",
        {f"t{objectif.pk}-texte": "Texte corrigé ;"},
    )
    assert response.status_code == 302
    assert textes(Objectif)[1] == "Texte corrigé ;"
    assert objectif.history.latest().history_change_reason == "Objectif modifié"


def test_an_objective_is_added_at_the_end_and_removed(charge):
    url = "/projets/biovallee/objectifs/"
    avant = textes(Objectif)
    charge.post(url + "ajouter/", {"ajout-texte": "  Un sixième objectif.  "})
    assert textes(Objectif) == [*avant, "Un sixième objectif."]

    nouveau = Objectif.objects.get(texte="Un sixième objectif.")
    charge.post(f"{url}{nouveau.pk}/supprimer/")
    assert textes(Objectif) == avant


def test_moving_an_impact_up_swaps_it_with_the_one_above(charge):
    avant = textes(Impact)
    troisieme = Impact.objects.get(projet__slug="biovallee", ordre=3)

    charge.post(f"/projets/biovallee/impacts/{troisieme.pk}/haut/")

    assert textes(Impact) == [avant[0], avant[2], avant[1], *avant[3:]]
    assert troisieme.history.latest().history_change_reason == "Impacts réordonnés"


def test_an_empty_text_is_refused_next_to_its_field(charge):
    objectif = Objectif.objects.get(projet__slug="biovallee", ordre=1)
    response = charge.post(
        f"/projets/biovallee/objectifs/{objectif.pk}/modifier/",
        {f"t{objectif.pk}-texte": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_t{objectif.pk}-texte-erreur">Ce champ est obligatoire.' in page
    assert f'aria-describedby="id_t{objectif.pk}-texte-erreur"' in page


def test_an_impact_followed_by_indicators_cannot_be_removed(charge):
    impact = Impact.objects.filter(projet__slug="biovallee", indicateurs__isnull=False).first()
    assert impact is not None, "fixtures/indicateurs.json suit les impacts de Biovallée"
    response = charge.post(f"/projets/biovallee/impacts/{impact.pk}/supprimer/")
    assert response.status_code == 200
    assert "porte des indicateurs" in response.content.decode()
    assert Impact.objects.filter(pk=impact.pk).exists()


def test_an_impact_edit_must_keep_the_passage_its_indicator_quotes(charge):
    impact = Impact.objects.filter(projet__slug="biovallee", indicateurs__extrait__gt="").first()
    assert impact is not None, "fixtures/indicateurs.json cite les impacts de Biovallée"
    response = charge.post(
        f"/projets/biovallee/impacts/{impact.pk}/modifier/",
        {f"t{impact.pk}-texte": "Tout autre chose."},
    )
    assert "ce passage doit rester dans le texte" in response.content.decode()


def test_the_first_text_cannot_move_up_and_the_last_cannot_move_down():
    from laureats import services

    premier = Objectif.objects.filter(projet__slug="biovallee").order_by("ordre").first()
    dernier = Objectif.objects.filter(projet__slug="biovallee").order_by("ordre").last()
    avant = textes(Objectif)
    services.objectif_move(objectif=premier, vers="haut", by=None)
    services.objectif_move(objectif=dernier, vers="bas", by=None)
    assert textes(Objectif) == avant


def test_a_text_added_after_a_removal_takes_the_next_free_rank():
    from laureats import services

    deuxieme = Objectif.objects.get(projet__slug="biovallee", ordre=2)
    projet = deuxieme.projet
    services.objectif_delete(objectif=deuxieme, by=None)
    nouveau = services.objectif_create(projet=projet, texte="Nouveau", by=None)
    assert nouveau.ordre == 6 and textes(Objectif)[-1] == "Nouveau"


def test_an_officer_edits_the_prose_around_the_objectives_in_one_history_row(charge):
    projet = Projet.objects.get(slug="terres-de-sources")
    conclusion = projet.objectifs_conclusion
    avant = Projet.history.filter(slug="terres-de-sources").count()

    response = charge.post(
        "/projets/terres-de-sources/objectifs/encadrement/",
        {
            "objectifs_introduction": "Deux axes\r\nprincipaux :  ",
            "objectifs_conclusion": conclusion.replace(" ", "\r\n", 1),
        },
    )

    assert response.status_code == 302
    projet.refresh_from_db()
    assert projet.objectifs_introduction == "Deux axes\nprincipaux :"
    assert projet.objectifs_conclusion == conclusion.replace(" ", "\n", 1)
    assert Projet.history.filter(slug="terres-de-sources").count() == avant + 1
    dernier = projet.history.latest()
    assert dernier.history_change_reason == "Introduction ou conclusion des objectifs modifiée"
    assert dernier.history_user.profil.role == "charge"
    assert sorted(c.field for c in dernier.diff_against(dernier.prev_record).changes) == [
        "objectifs_conclusion",
        "objectifs_introduction",
    ]
    assert textes_de("terres-de-sources", Objectif)[0].startswith("Développer la demande")


def test_the_prose_form_is_shown_on_the_objectives_page_only(charge):
    page = charge.get("/projets/terres-de-sources/objectifs/modifier/").content.decode()
    assert 'name="objectifs_introduction"' in page and 'name="objectifs_conclusion"' in page
    assert "Deux axes principaux seront développés" in page

    page = charge.get("/projets/terres-de-sources/impacts/modifier/").content.decode()
    assert "objectifs_introduction" not in page


def test_the_prose_cannot_be_edited_through_the_impacts_page(charge):
    response = charge.post("/projets/terres-de-sources/impacts/encadrement/", {"objectifs_introduction": "Non"})
    assert response.status_code == 302
    assert Projet.objects.get(slug="terres-de-sources").objectifs_introduction.startswith("Deux axes")


def textes_de(slug: str, model) -> list[str]:
    return list(model.objects.filter(projet__slug=slug).order_by("ordre").values_list("texte", flat=True))
