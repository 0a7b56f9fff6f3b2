"""The dashboard's region picker is a form sent by its button: the server opens the region chosen."""

import pytest

from tests.pages.conftest import connecte

pytestmark = pytest.mark.django_db


def test_the_form_opens_the_region_chosen():
    reponse = connecte("charge").get("/financements/", {"region": "84"})
    assert reponse.status_code == 302 and reponse["Location"] == "/financements/regions/84/"


@pytest.mark.parametrize("choix", ["", "00", "x" * 300])
def test_the_whole_programme_or_an_unknown_region_opens_the_programme_dashboard(choix):
    reponse = connecte("charge").get("/financements/regions/84/", {"region": choix})
    assert reponse.status_code == 302 and reponse["Location"] == "/financements/"


def test_the_picker_has_a_button_and_no_script_changing_page():
    html = connecte("charge").get("/financements/regions/84/").content.decode()
    formulaire = html[html.index('<form method="get" action="/financements/"') :]
    formulaire = formulaire[: formulaire.index("</form>")]
    assert 'name="region"' in formulaire and '<option value="84" selected>' in formulaire
    assert '<button type="submit"' in formulaire
    assert "navigation.js" not in html


def test_an_export_keeps_its_address():
    reponse = connecte("charge").get("/financements/", {"region": "84", "export": "csv"})
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
