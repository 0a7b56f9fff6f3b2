"""/mon-espace/ for a partner: what their organisation's projects owe, what they sent, and the forms to send it."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from indicateurs import services
from indicateurs.models import Indicateur, Mesure, Periode
from tests.indicateurs.factories import compte

pytestmark = pytest.mark.django_db

KWH = "biovallee-production-energie-locale"  # kWh, Association Biovallée leads its project
PART = "biovallee-part-agriculture-bio"  # a share in %
MOT_DE_PASSE = "un-mot-de-passe-de-test-42"


class _Page(HTMLParser):
    """The figures (data-chiffre / data-valeur), the due periods' rows and the measurements' rows of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.chiffres: dict[str, int] = {}
        self.periodes: list[int] = []
        self.uids: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-chiffre" in attrs:
            cle = attrs["data-chiffre"]
            assert cle not in self.chiffres, f"{cle} apparaît deux fois"
            self.chiffres[cle] = int(attrs["data-valeur"])
        if "data-periode" in attrs:
            self.periodes.append(int(attrs["data-periode"]))
        if "data-uid" in attrs:
            self.uids.append(attrs["data-uid"])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _periode(code: str, annee: int) -> Periode:
    return Periode.objects.get(indicateur__code=code, debut=datetime.date(annee, 1, 1))


def _etats_attendus(projet_slug: str, jour: datetime.date) -> dict[int, str]:
    """The state of each period of a project, from its dates and its measurements, without the selector."""
    etats = {}
    for periode in Periode.objects.filter(indicateur__impact__projet__slug=projet_slug):
        gardees = sorted(
            (m for m in Mesure.objects.filter(periode=periode) if m.statut != Mesure.Statut.REJETEE),
            key=lambda m: (m.date, m.pk),
        )
        if gardees:
            etats[periode.pk] = gardees[-1].statut
        elif periode.fin >= jour:
            etats[periode.pk] = "a_venir"
        elif periode.date_limite >= jour:
            etats[periode.pk] = "attendue"
        else:
            etats[periode.pk] = "en_retard"
    return etats


def test_a_partner_logging_in_lands_on_their_space():
    compte("partenaire", username="paula", mot_de_passe=MOT_DE_PASSE)
    client = Client()

    reponse = client.post("/connexion/", {"username": "paula", "password": MOT_DE_PASSE}, follow=True)

    assert reponse.redirect_chain[-1][0] == "/mon-espace/"
    assert reponse.status_code == 200
    assert "Mon espace — Association Biovallée" in reponse.content.decode()


def test_the_figures_at_the_top_count_the_due_rows_recomputed_from_the_periods():
    partenaire = compte("partenaire")
    charge = compte("charge")
    jour = timezone.localdate()
    indicateur = Indicateur.objects.select_related("impact__projet").get(code=KWH)
    # One period sent back, one submitted (no longer due), one rejected (due again).
    a_revoir = services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2021, 6, 1), valeur=Decimal("3"), source="Relevé", by=partenaire
    )
    services.mesure_return(mesure=a_revoir, by=charge, commentaire="Unité : des kWh, pas des MWh.")
    services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2022, 6, 1), valeur=Decimal("4"), source="Relevé", by=partenaire
    )
    rejetee = services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2023, 6, 1), valeur=Decimal("5"), source="Relevé", by=partenaire
    )
    services.mesure_reject(mesure=rejetee, by=charge, commentaire="Source introuvable.")

    reponse = _client(partenaire).get("/mon-espace/")

    page = _Page(reponse.content.decode())
    etats = _etats_attendus("biovallee", jour)
    dues = {pk for pk, etat in etats.items() if etat in ("attendue", "en_retard", "a_revoir")}
    assert page.chiffres == {
        "espace/dues": len(dues),
        "espace/en_retard": sum(1 for e in etats.values() if e == "en_retard"),
        "espace/attendue": sum(1 for e in etats.values() if e == "attendue"),
        "espace/a_revoir": 1,
    }
    assert page.chiffres["espace/dues"] > 0
    assert set(page.periodes) == dues and len(page.periodes) == len(dues)
    html = reponse.content.decode()
    assert "Unité : des kWh, pas des MWh." in html  # the officer's comment beside the period to correct
    assert f"/mon-espace/mesures/{a_revoir.uid}/corriger/" in html
    # The measurements of the organisation's projects, most recent first, rejected ones included.
    assert page.uids == [str(m.uid) for m in Mesure.objects.order_by("-soumise_le", "-pk")]
    assert "Source introuvable." in html and "Importer un tableur" in html


def test_days_late_count_from_the_due_date():
    jour = timezone.localdate()
    periode = _periode(KWH, 2020)
    reponse = _client(compte("partenaire")).get("/mon-espace/")

    ligne = re.search(rf'<tr data-periode="{periode.pk}">(.*?)</tr>', reponse.content.decode(), re.S).group(1)
    assert f"{(jour - periode.date_limite).days} jours" in ligne
    assert "En retard" in ligne and periode.date_limite.strftime("%d/%m/%Y") in ligne


def test_the_page_lists_the_projects_indicators_with_unit_frequency_and_target():
    reponse = _client(compte("partenaire")).get("/mon-espace/")

    html = reponse.content.decode()
    for indicateur in Indicateur.objects.filter(impact__projet__slug="biovallee"):
        assert f"/indicateurs/{indicateur.code}/" in html
    assert "Annuelle" in html and "kWh" in html


def test_a_partner_of_another_organisation_sees_nothing_of_biovallee():
    autre = compte("partenaire", organisation="Grand Belfort")
    mesure = services.mesure_submit(
        indicateur=Indicateur.objects.get(code=KWH), date=datetime.date(2024, 3, 1), valeur=Decimal("1"),
        source="S", by=compte("partenaire"),
    )  # fmt: skip
    services.mesure_return(mesure=mesure, by=compte("charge"), commentaire="À revoir")
    client = _client(autre)

    page = _Page(client.get("/mon-espace/").content.decode())

    biovallee = set(Periode.objects.filter(indicateur__impact__projet__slug="biovallee").values_list("pk", flat=True))
    assert not biovallee & set(page.periodes) and str(mesure.uid) not in page.uids
    assert client.get(f"/mon-espace/periodes/{_periode(KWH, 2022).pk}/declarer/").status_code == 404
    assert client.post(f"/mon-espace/periodes/{_periode(KWH, 2022).pk}/declarer/", {}).status_code == 404
    assert client.get(f"/mon-espace/mesures/{mesure.uid}/corriger/").status_code == 404
    assert client.post(f"/mon-espace/mesures/{mesure.uid}/corriger/", {}).status_code == 404
    assert client.get("/mon-espace/periodes/999999999/declarer/").status_code == 404


def test_only_partners_reach_the_forms_and_anonymous_users_log_in_first():
    url = f"/mon-espace/periodes/{_periode(KWH, 2022).pk}/declarer/"
    assert Client().get(url).status_code == 302
    assert _client(compte("charge")).get(url).status_code == 403


def test_a_partner_submits_a_value_typed_the_french_way():
    partenaire = compte("partenaire")
    periode = _periode(KWH, 2024)
    client = _client(partenaire)
    formulaire = client.get(f"/mon-espace/periodes/{periode.pk}/declarer/")
    # A period over: the date defaults to its end.
    assert 'value="2024-12-31"' in formulaire.content.decode()

    reponse = client.post(
        f"/mon-espace/periodes/{periode.pk}/declarer/",
        {"valeur": "1 250,5", "source": "Relevé des compteurs", "date": "2024-12-31"},
        follow=True,
    )

    assert reponse.redirect_chain == [("/mon-espace/", 302)]
    mesure = Mesure.objects.get()
    assert (mesure.valeur, mesure.periode, mesure.statut, mesure.auteur) == (
        Decimal("1250.5"), periode, Mesure.Statut.SOUMISE, partenaire
    )  # fmt: skip
    assert "soumise" in reponse.content.decode()
    # The period is no longer due.
    assert periode.pk not in _Page(reponse.content.decode()).periodes


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        ({"valeur": "1.250,5", "source": "S", "date": "2024-12-31"}, "valeur", "Saisissez un nombre"),
        ({"valeur": "12", "source": "", "date": "2024-12-31"}, "source", "Ce champ est obligatoire."),
        ({"valeur": "12", "source": "S", "date": "2023-12-31"}, "date", "La date tombe dans la période déclarée"),
        ({"valeur": "150", "source": "S", "date": "2024-12-31", "code": PART}, "valeur", "entre 0 et 100"),
    ],
)
def test_a_refused_value_writes_nothing_and_says_why_next_to_the_field(donnees, champ, message):
    periode = _periode(donnees.pop("code", KWH), 2024)

    reponse = _client(compte("partenaire")).post(f"/mon-espace/periodes/{periode.pk}/declarer/", donnees)

    assert reponse.status_code == 200
    erreur = re.search(rf'id="id_{champ}-erreur">(.*?)</p>', reponse.content.decode(), re.S)
    assert erreur and message in erreur.group(1)
    assert not Mesure.objects.exists()


def test_a_period_already_declared_is_not_declared_twice():
    partenaire = compte("partenaire")
    periode = _periode(KWH, 2024)
    services.mesure_submit(
        indicateur=periode.indicateur, date=datetime.date(2024, 5, 1), valeur=Decimal("1"), source="S", by=partenaire
    )

    reponse = _client(partenaire).post(
        f"/mon-espace/periodes/{periode.pk}/declarer/", {"valeur": "2", "source": "S", "date": "2024-06-01"}
    )

    assert reponse.status_code == 302 and Mesure.objects.count() == 1


def test_a_partner_corrects_a_measure_sent_back_with_the_comment_in_view():
    partenaire = compte("partenaire")
    mesure = services.mesure_submit(
        indicateur=Indicateur.objects.get(code=KWH), date=datetime.date(2024, 3, 1), valeur=Decimal("1"),
        source="Estimation", by=partenaire,
    )  # fmt: skip
    services.mesure_return(mesure=mesure, by=compte("charge"), commentaire="Valeur en MWh ?")
    client = _client(partenaire)
    url = f"/mon-espace/mesures/{mesure.uid}/corriger/"

    formulaire = client.get(url).content.decode()
    assert "Valeur en MWh ?" in formulaire and 'value="Estimation"' in formulaire

    # An error keeps the measure as it was.
    refus = client.post(url, {"valeur": "1 000", "source": "Relevé", "date": "2025-01-01"})
    assert refus.status_code == 200 and "La date tombe dans la période déclarée" in refus.content.decode()
    mesure.refresh_from_db()
    assert mesure.statut == Mesure.Statut.A_REVOIR and mesure.valeur == Decimal("1")

    reponse = client.post(url, {"valeur": "1 000", "source": "Relevé", "date": "2024-03-01"}, follow=True)

    assert reponse.redirect_chain == [("/mon-espace/", 302)]
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.valeur, mesure.source, mesure.commentaire) == (
        Mesure.Statut.SOUMISE, Decimal("1000"), "Relevé", ""
    )  # fmt: skip
    assert "Mesure corrigée et soumise à nouveau" in reponse.content.decode()
    # Submitted again: nothing left to correct.
    assert client.get(url).status_code == 302


def test_the_space_renders_in_pinned_queries_whatever_the_number_of_measures(django_assert_num_queries):
    partenaire = compte("partenaire")
    client = _client(partenaire)
    # session, user, profile, organisation, projects' ids, due periods, indicators (+ latest evaluation),
    # projects, measurements' count, then their page once there are some
    with django_assert_num_queries(10):
        client.get("/mon-espace/")
    for code in Indicateur.objects.filter(impact__projet__slug="biovallee").values_list("code", flat=True):
        indicateur = Indicateur.objects.select_related("impact__projet").get(code=code)
        for annee in (2021, 2022, 2023):
            services.mesure_submit(
                indicateur=indicateur, date=datetime.date(annee, 6, 1), valeur=Decimal("1"), source="S",
                by=partenaire,
            )  # fmt: skip
    with django_assert_num_queries(11):
        reponse = client.get("/mon-espace/")
    assert len(_Page(reponse.content.decode()).uids) == 20
    assert len(_Page(client.get("/mon-espace/?page=2").content.decode()).uids) == 4


def test_the_declaration_and_correction_forms_render_in_pinned_queries(django_assert_num_queries):
    partenaire = compte("partenaire")
    client = _client(partenaire)
    url = f"/mon-espace/periodes/{_periode(KWH, 2024).pk}/declarer/"
    mesure = services.mesure_submit(
        indicateur=Indicateur.objects.get(code=KWH), date=datetime.date(2023, 3, 1), valeur=Decimal("1"),
        source="S", by=partenaire,
    )  # fmt: skip
    services.mesure_return(mesure=mesure, by=compte("charge"), commentaire="À revoir")
    # session, user, profile, projects' ids, the period (or the measurement with its indicator and period)
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(f"/mon-espace/mesures/{mesure.uid}/corriger/").status_code == 200


def test_a_period_not_over_defaults_to_today_and_a_future_one_has_nothing_to_declare():
    jour = timezone.localdate()
    client = _client(compte("partenaire"))
    en_cours = Periode.objects.get(indicateur__code=KWH, debut__lte=jour, fin__gte=jour)
    future = Periode.objects.filter(indicateur__code=KWH, debut__gt=jour).first()

    assert f'value="{jour:%Y-%m-%d}"' in client.get(f"/mon-espace/periodes/{en_cours.pk}/declarer/").content.decode()
    assert future is not None  # the calendar runs to the end of 2030
    reponse = client.post(
        f"/mon-espace/periodes/{future.pk}/declarer/", {"valeur": "1", "source": "S", "date": f"{future.debut}"}
    )
    assert reponse.status_code == 302 and not Mesure.objects.exists()
