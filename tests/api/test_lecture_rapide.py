"""The fast read path of the large lists (config/lecture_rapide.py) answers what the serializer answers.

The projects' and measurements' list pages are read by `.values()` and encoded by orjson;
their serializers stay the contract. Here, on a populated programme (`generer_demo`, plus
measurements each role sees differently), every role's page under several filters,
orderings and page sizes is asked twice, fast path on and off (`lecture_rapide`), and the
bodies must be the same bytes: same keys in the same order, same values rendered the same
way (amounts, dates, links, authors as each reader may see them), same count and links.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import renderers, serializers

from comptes.selectors import projets_ids_of
from config.lecture_rapide import Lecture, _conversion, json_drf
from indicateurs import services as indicateurs
from indicateurs.api.serializers import MesureSerializer
from indicateurs.api.views import MesureViewSet
from indicateurs.demo import demo_generate
from indicateurs.models import Indicateur, Mesure
from laureats.api.serializers import ProjetListSerializer
from laureats.models import Projet
from portail.api.views import ProjetViewSet
from tests.factories import compte, jeton

ROLES = ["anonyme", "partenaire", "directeur", "charge"]


@pytest.fixture(scope="module")
def clients(django_db_setup, django_db_blocker):
    """The four readers on a programme in progress, in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        charge = compte("charge", "rapide-charge")
        get_user_model().objects.filter(pk=charge.pk).update(first_name="Camille", last_name="Martin")
        charge.refresh_from_db()
        partenaire = compte("partenaire", "rapide-partenaire")
        demo_generate(auteur=charge)
        # Measurements the partner signed on their own projects, one still awaiting a decision
        # (the partner sees it, the public does not), one validated: the partner reads their own
        # username, the public nothing, the officer usernames, the director names or roles.
        indicateur = Indicateur.objects.filter(impact__projet__in=projets_ids_of(partenaire)).order_by("pk").first()
        dates = iter([datetime.date(2018, 1, 15), datetime.date(2018, 2, 15)])
        soumises = [
            indicateurs.mesure_submit(
                indicateur=indicateur, date=next(dates), valeur=indicateur.valeur_cible, source="Relevé", by=partenaire
            )
            for _ in range(2)
        ]
        indicateurs.mesure_validate(mesure=soumises[1], by=charge, commentaire="")
        directeur = compte("directeur", "rapide-directeur")
        utilisateurs = {"partenaire": partenaire, "directeur": directeur, "charge": charge}
        lecteurs = {"anonyme": Client()}
        for role, utilisateur in utilisateurs.items():
            lecteurs[role] = Client(HTTP_AUTHORIZATION=f"Token {jeton(utilisateur)}")
        yield lecteurs
        transaction.set_rollback(True)


def _requetes() -> list[str]:
    projet = Projet.objects.order_by("ordre", "pk").first()
    indicateur = Mesure.objects.order_by("pk").values_list("indicateur__code", flat=True).first()
    return [
        "/api/v1/projets/?page_size=100",
        "/api/v1/projets/?page_size=1&page=2",
        # Orderings on unique values: on ties (`?ordering=date`) the order of rows is the database's,
        # which may differ from one query to the next, fast path or not.
        "/api/v1/projets/?page_size=7&page=3&ordering=-titre",
        f"/api/v1/projets/?region={projet.region.code}&ordering=titre",
        "/api/v1/projets/?updated_since=2000-01-01&page_size=100",  # two timestamps: a distinct queryset
        "/api/v1/projets/?search=alimentation",
        "/api/v1/mesures/?page_size=100",
        "/api/v1/mesures/?page_size=1&page=2",
        f"/api/v1/mesures/?indicateur={indicateur}&statut=validee&page_size=2&page=2&ordering=date",
        "/api/v1/mesures/?statut=soumise&page_size=100",
        f"/api/v1/mesures/?indicateur={indicateur}&ordering=-date",
        "/api/v1/mesures/?updated_since=2000-01-01&page_size=50",
        "/api/v1/mesures/?demo=false&page_size=100",
    ]


def _lire(client: Client, url: str, rapide: bool, monkeypatch):
    monkeypatch.setattr(ProjetViewSet, "lecture_rapide", rapide)
    monkeypatch.setattr(MesureViewSet, "lecture_rapide", rapide)
    reponse = client.get(url)
    assert reponse.status_code == 200, reponse.content[:500]
    return reponse


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_fast_path_answers_byte_for_byte_what_the_serializer_answers(clients, role, monkeypatch):
    client = clients[role]
    for url in _requetes():
        rapide = _lire(client, url, True, monkeypatch)
        lente = _lire(client, url, False, monkeypatch)
        # The fast path did answer (no DRF Response), the other is the serializer's.
        assert not hasattr(rapide, "data") and hasattr(lente, "data"), url
        assert rapide["Content-Type"] == lente["Content-Type"] == "application/json", url
        assert rapide.content == lente.content, f"{role} {url}"
        # A page with rows, or nothing compared; the public sees no measurement awaiting a decision.
        vide_attendue = role == "anonyme" and "statut=soumise" in url
        assert bool(rapide.json()["results"]) is not vide_attendue, f"{role} {url}"


@pytest.mark.django_db
def test_the_pages_compared_show_what_each_reader_may_see(clients, monkeypatch):
    """The comparison is not vacuous: authors are shown, differently to each reader; amounts and
    datetimes are rendered as the serializer renders them."""
    # The partner's indicator: their own measurements, and the demo's latest signed by the officer.
    code = Mesure.objects.filter(auteur__username="rapide-partenaire").values_list("indicateur__code", flat=True)[0]
    auteurs = {}
    for role in ROLES:
        corps = _lire(clients[role], f"/api/v1/mesures/?indicateur={code}&page_size=100", True, monkeypatch).json()
        auteurs[role] = {m["auteur"] for m in corps["results"]}
    assert auteurs["anonyme"] == {None}
    assert "rapide-partenaire" in auteurs["partenaire"] and "rapide-charge" not in auteurs["partenaire"]
    assert "Camille Martin" in auteurs["directeur"] and "rapide-charge" in auteurs["charge"]
    projets = _lire(clients["anonyme"], "/api/v1/projets/?page_size=100", True, monkeypatch).json()["results"]
    assert any(p["subvention_prevue"] and p["subvention_prevue"].endswith(".00") for p in projets)
    assert all(p["url"].startswith("http://testserver/api/v1/projets/") for p in projets)


@pytest.mark.django_db
def test_csv_and_indented_json_keep_the_serializer(clients, monkeypatch):
    monkeypatch.setattr(ProjetViewSet, "lecture_rapide", True)
    indente = clients["anonyme"].get("/api/v1/projets/?page_size=2", HTTP_ACCEPT="application/json; indent=2")
    assert hasattr(indente, "data") and b'\n  "count"' in indente.content
    tableur = clients["anonyme"].get("/api/v1/projets/?format=csv")
    assert tableur["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "serializer_class"),
    [("/api/v1/projets/", ProjetListSerializer), ("/api/v1/mesures/", MesureSerializer)],
)
def test_the_fast_paths_rows_carry_the_serializers_fields_in_its_order(clients, url, serializer_class, monkeypatch):
    lignes = _lire(clients["charge"], url, True, monkeypatch).json()["results"]
    assert lignes and {tuple(ligne) for ligne in lignes} == {tuple(serializer_class().fields)}


def test_a_field_the_fast_path_cannot_read_is_refused_not_skipped():
    from django.core.exceptions import ImproperlyConfigured

    class AvecUneListe(serializers.Serializer):
        titre = serializers.CharField()
        labels = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    with pytest.raises(ImproperlyConfigured, match="labels"):
        Lecture(AvecUneListe())


def test_values_are_rendered_as_the_fields_render_them():
    decimales = serializers.DecimalField(max_digits=15, decimal_places=2)
    quatre = serializers.DecimalField(max_digits=18, decimal_places=4)
    for valeur in [Decimal("5700000"), Decimal("1.005"), Decimal("1.015"), Decimal("-0.5"), Decimal("12.34567")]:
        assert _conversion(decimales)(valeur) == decimales.to_representation(valeur)
        assert _conversion(quatre)(valeur) == quatre.to_representation(valeur)
    moments = [
        datetime.datetime(2025, 1, 15, 10, 0, tzinfo=datetime.UTC),
        datetime.datetime(2025, 7, 15, 23, 30, 5, 123456, tzinfo=datetime.UTC),
    ]
    for fuseau in ("Europe/Paris", "UTC", "America/Cayenne"):
        with timezone.override(fuseau):
            horodatage = serializers.DateTimeField()
            for moment in moments:
                assert _conversion(horodatage).fabrique()(moment) == horodatage.to_representation(moment)
    jour = serializers.DateField()
    assert _conversion(jour)(datetime.date(2025, 2, 1)) == jour.to_representation(datetime.date(2025, 2, 1))
    donnees = {"texte": "ligne\u2028paragraphe\u2029fin é", "n": [1, None, True]}
    assert json_drf(donnees) == renderers.JSONRenderer().render(donnees)


def _projets_compares() -> list[Projet]:
    """Projects whose records differ in what they nest: the most partnerships, labels, and none at all."""
    from django.db.models import Count

    projets = Projet.objects.annotate(
        nb_p=Count("partenariats", distinct=True), nb_l=Count("labels", distinct=True)
    ).order_by("-nb_p", "-nb_l", "pk")
    choisis = [projets[0], projets.order_by("ordre", "pk")[0]]
    # Labels (the demo has none), given out of their order by name.
    from territoires.models import Label

    for nom in ["Zz label rapide", "Aa label rapide"]:
        choisis[0].labels.add(Label.objects.get_or_create(nom=nom, defaults={"slug": slugify(nom)})[0])
    assert choisis[0].nb_p > 1 and choisis[0].labels.count() == 2  # not vacuous: nested lists are compared
    return list(dict.fromkeys([*choisis, _projet_sans_listes()]))


def _projet_sans_listes() -> Projet:
    """A project with no partnership, label, objective or impact (created for the comparison)."""
    projet = Projet.objects.filter(slug="rapide-sans-listes").first()
    if projet is None:
        modele = Projet.objects.order_by("ordre", "pk").first()
        projet = Projet.objects.create(
            slug="rapide-sans-listes",
            titre="Projet sans listes",
            ordre=999,
            region=modele.region,
            chef_de_file=modele.chef_de_file,
            nb_partenaires_declares=0,
            nb_collectivites_declarees=0,
            population_concernee=0,
        )
    assert not (projet.partenariats.exists() or projet.labels.exists() or projet.objectifs.exists())
    return projet


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_fast_detail_answers_byte_for_byte_what_the_serializer_answers(clients, role, monkeypatch):
    client = clients[role]
    for projet in _projets_compares():
        for url in [f"/api/v1/projets/{projet.slug}/", f"/api/v1/projets/{projet.slug}/?format=json"]:
            rapide = _lire(client, url, True, monkeypatch)
            lente = _lire(client, url, False, monkeypatch)
            assert not hasattr(rapide, "data") and hasattr(lente, "data"), url
            assert rapide["Content-Type"] == lente["Content-Type"] == "application/json", url
            assert rapide.content == lente.content, f"{role} {url}"
            assert rapide["ETag"] == lente["ETag"], url
    # A missing project is the serializer path's 404.
    assert client.get("/api/v1/projets/nexiste-pas/").status_code == 404


@pytest.mark.django_db
def test_the_fast_detail_carries_the_serializers_fields_in_its_order(clients, monkeypatch):
    from laureats.api.serializers import ProjetDetailSerializer

    projet = _projets_compares()[0]
    corps = _lire(clients["charge"], f"/api/v1/projets/{projet.slug}/", True, monkeypatch).json()
    assert tuple(corps) == tuple(ProjetDetailSerializer().fields)
    assert corps["partenariats"] and all(set(p) == {"organisation", "role"} for p in corps["partenariats"])
