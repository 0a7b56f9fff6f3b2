"""An indicator's page: its reporting frequency and each period with its state, due date and value.

A value not yet validated is shown to officers, directors and the project's partners only,
as the measurements are (selectors.mesure_list_visible_to); the public reads validated values.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from indicateurs import services
from indicateurs.models import Indicateur
from laureats.models import Partenariat
from tests.factories import ProjetFactory
from tests.indicateurs.factories import IndicateurFactory, MesureFactory, compte
from tests.indicateurs.test_pages import DETAIL_QUERIES

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2026, 2, 15)  # the 2025 period is over, due on 01/03/2026


@pytest.fixture
def aujourdhui(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: JOUR)


@pytest.fixture
def indicateur(aujourdhui) -> Indicateur:
    """2020 validated, 2021 submitted, 2022 sent back, 2023 rejected, 2024 nothing, 2025 due, 2026 on."""
    projet = ProjetFactory(titre="Vallée des Possibles")
    Partenariat.objects.create(projet=projet, organisation=projet.chef_de_file, role=Partenariat.Role.CHEF_DE_FILE)
    indicateur = IndicateurFactory(impact=projet.impacts.get(), unite="emplois", code="possibles-emplois")
    charge = compte("charge")
    MesureFactory(indicateur=indicateur, date=datetime.date(2020, 12, 31), valeur=Decimal("120"), validee=True)
    MesureFactory(indicateur=indicateur, date=datetime.date(2021, 12, 31), valeur=Decimal("131"))
    a_revoir = MesureFactory(indicateur=indicateur, date=datetime.date(2022, 12, 31), valeur=Decimal("142"))
    services.mesure_return(mesure=a_revoir, by=charge, commentaire="Source à préciser")
    rejetee = MesureFactory(indicateur=indicateur, date=datetime.date(2023, 12, 31), valeur=Decimal("153"))
    services.mesure_reject(mesure=rejetee, by=charge, commentaire="Hors périmètre")
    return indicateur


def _lignes(page: str) -> dict[str, list[str]]:
    """Each period's row: its cells' text, by period label."""
    lignes = {}
    for ligne in re.findall(r'<tr data-periode="[^"]+">(.*?)</tr>', page, flags=re.S):
        cellules = [
            re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", ligne, re.S)
        ]
        lignes[cellules[0]] = cellules[1:]
    return lignes


def test_the_page_shows_the_frequency_and_every_period_with_its_state(client, indicateur, django_assert_num_queries):
    with django_assert_num_queries(DETAIL_QUERIES):
        reponse = client.get(f"/indicateurs/{indicateur.code}/")

    page = reponse.content.decode()
    assert "Fréquence de déclaration : <strong>annuelle</strong>" in page
    assert "au plus tard 60 jours après sa fin, jusqu'à l'échéance du 31/12/2030" in page
    assert "leur état au 15/02/2026" in page
    lignes = _lignes(page)
    assert list(lignes) == [str(annee) for annee in range(2020, 2031)]
    assert lignes["2020"] == ["01/01/2020 – 31/12/2020", "01/03/2021", "Validée", "120"]
    assert lignes["2021"] == ["01/01/2021 – 31/12/2021", "01/03/2022", "Soumise", "non publiée avant validation"]
    assert lignes["2022"][2:] == ["À revoir", "non publiée avant validation"]
    assert lignes["2023"][2:] == ["En retard", "—"]  # the rejected value does not count
    assert lignes["2024"][2:] == ["En retard", "—"]
    assert lignes["2025"] == ["01/01/2025 – 31/12/2025", "01/03/2026", "Attendue", "—"]
    assert lignes["2026"][2:] == ["À venir", "—"]
    assert 'class="fr-badge fr-badge--sm fr-badge--error">En retard' in page


@pytest.mark.parametrize("role", ["charge", "directeur", "partenaire"])
def test_officers_directors_and_the_project_s_partners_read_the_values_not_yet_validated(client, indicateur, role):
    organisation = {"organisation": indicateur.impact.projet.chef_de_file.nom} if role == "partenaire" else {}
    client.force_login(compte(role, **organisation))

    lignes = _lignes(client.get(f"/indicateurs/{indicateur.code}/").content.decode())

    assert lignes["2021"][2:] == ["Soumise", "131"]
    assert lignes["2022"][2:] == ["À revoir", "142"]


def test_a_partner_of_another_project_reads_the_validated_values_only(client, indicateur):
    client.force_login(compte("partenaire"))  # Association Biovallée

    lignes = _lignes(client.get(f"/indicateurs/{indicateur.code}/").content.decode())

    assert lignes["2020"][3] == "120"
    assert lignes["2021"][3] == "non publiée avant validation"


def test_a_new_frequency_set_on_the_form_rewrites_the_periods_shown(client, indicateur):
    client.force_login(compte("charge"))
    formulaire = client.get(f"/indicateurs/{indicateur.code}/modifier/").content.decode()
    assert "Les périodes de déclaration sont recalculées à l&#x27;enregistrement" in formulaire
    assert '<select name="frequence"' in formulaire
    for choix in ("Annuelle", "Semestrielle", "Trimestrielle"):
        assert f">{choix}</option>" in formulaire

    donnees = {
        "libelle": indicateur.libelle, "unite": indicateur.unite, "sens": indicateur.sens,
        "valeur_reference": "100", "date_reference": "", "valeur_cible": "200", "echeance": "2030-12-31",
        "frequence": "trimestrielle", "note": "",
    }  # fmt: skip
    assert client.post(f"/indicateurs/{indicateur.code}/modifier/", donnees).status_code == 302

    page = client.get(f"/indicateurs/{indicateur.code}/").content.decode()
    assert "Fréquence de déclaration : <strong>trimestrielle</strong>" in page
    lignes = _lignes(page)
    assert len(lignes) == 44
    assert lignes["4e trimestre 2020"][2:] == ["Validée", "120"]  # the measure moved with its date
    assert lignes["4e trimestre 2025"][1:3] == ["01/03/2026", "Attendue"]
    assert lignes["1er trimestre 2025"][2] == "En retard"
