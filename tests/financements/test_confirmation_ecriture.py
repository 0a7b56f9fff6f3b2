"""The portal's ledger forms: amounts typed the French way, and a confirmation before any entry is written.

A subsidy is committed by its convention (test_pages_conventions.py); these forms write equity.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client

from financements.models import Engagement, Enveloppe, Versement
from tests import grand_livre as services
from tests.factories import compte

pytestmark = pytest.mark.django_db

NOUVEL_ENGAGEMENT = "/projets/biovallee/engagements/nouveau/"
EXEMPLE = "Saisissez un montant en euros, par exemple 1\u202f000,50"


class _ChampsCaches(HTMLParser):
    def __init__(self):
        super().__init__()
        self.champs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name") != "csrfmiddlewaretoken":
            self.champs[attrs["name"]] = attrs.get("value") or ""


def champs_caches(response) -> dict[str, str]:
    """The values the confirmation page carries to the confirm POST, as a browser would send them."""
    parser = _ChampsCaches()
    parser.feed(response.content.decode())
    return parser.champs


@pytest.fixture
def charge() -> Client:
    client = Client()
    client.force_login(compte("charge"))
    return client


@pytest.fixture
def investissement() -> Enveloppe:
    return Enveloppe.objects.get(code="investissement")


@pytest.fixture
def engagement(biovallee, investissement) -> Engagement:
    return services.engagement_create(
        projet=biovallee, enveloppe=investissement, montant=Decimal("1000000.00"), date="2024-03-01",
        reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip


def saisie(**changes) -> dict:
    return {
        "enveloppe": "investissement", "montant": "1 000,50", "date": "2024-05-02", "reference": "CP-2",
        "motif": "Avenant n° 1\nsigné le 2 mai", **changes,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("tape", "attendu", "affiche"),
    [
        ("1 000,50", Decimal("1000.50"), "1\u202f000,50"),
        ("1000,50", Decimal("1000.50"), "1\u202f000,50"),
        ("1\u00a0000,50", Decimal("1000.50"), "1\u202f000,50"),
        ("1\u202f000,50", Decimal("1000.50"), "1\u202f000,50"),
        ("1000.50", Decimal("1000.50"), "1\u202f000,50"),
        ("1 000 000", Decimal("1000000.00"), "1\u202f000\u202f000,00"),
        ("1\u00a0000\u00a0000", Decimal("1000000.00"), "1\u202f000\u202f000,00"),
        ("1\u202f000\u202f000", Decimal("1000000.00"), "1\u202f000\u202f000,00"),
    ],
)
def test_a_commitment_is_confirmed_in_french_then_written_once_with_the_exact_amount(
    charge, biovallee, investissement, tape, attendu, affiche
):
    premier = charge.post(NOUVEL_ENGAGEMENT, saisie(montant=tape))

    assert premier.status_code == 200
    assert (
        f"Vous allez engager {affiche}\u00a0€ sur {biovallee.titre} ({investissement.libelle})"
        in premier.content.decode()
    )
    assert not Engagement.objects.exists()

    confirme = charge.post(NOUVEL_ENGAGEMENT, {**champs_caches(premier), "confirmer": "1"}, follow=True)

    assert confirme.redirect_chain == [(biovallee.get_absolute_url(), 302)]
    assert "Écriture enregistrée au grand livre." in confirme.content.decode()
    entree = Engagement.objects.get()
    assert (entree.montant, entree.reference, entree.motif) == (attendu, "CP-2", "Avenant n° 1\nsigné le 2 mai")
    assert (entree.projet, entree.enveloppe, str(entree.date)) == (biovallee, investissement, "2024-05-02")


@pytest.mark.parametrize(
    "tape",
    [
        "1.000.000", "1,000.50", "1.000,50", "1e3", "1E3", "\uff11\uff10\uff10\uff10", "\u0661\u0660\u0660\u0660",
        "-3", "+3", "Infinity", "NaN", "1 0000", "1000,505",
    ],
)  # fmt: skip
def test_an_ambiguous_amount_is_refused_before_the_confirmation_and_nothing_is_written(charge, tape):
    response = charge.post(NOUVEL_ENGAGEMENT, saisie(montant=tape))

    assert response.status_code == 200
    assert response.context["form"].errors["montant"][0].startswith(EXEMPLE)
    assert "Vous allez" not in response.content.decode()
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("tape", ["1.000.000", "1e3", "\u0661\u0660\u0660\u0660", "NaN"])
def test_a_tampered_amount_in_the_confirm_post_is_validated_again(charge, tape):
    response = charge.post(NOUVEL_ENGAGEMENT, {**saisie(montant=tape), "confirmer": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors["montant"][0].startswith(EXEMPLE)
    assert not Engagement.objects.exists()


DEPASSEMENT = "au-delà du potentiel d'investissement de 12\u202f800\u202f000,00 € : une justification est requise"


def test_a_confirm_post_beyond_the_investment_potential_is_refused_by_the_service(charge):
    response = charge.post(NOUVEL_ENGAGEMENT, {**saisie(montant="12 800 000,01"), "confirmer": "1"})

    assert response.status_code == 200
    assert DEPASSEMENT in " ".join(response.context["form"].errors["justification_depassement"])
    assert not Engagement.objects.exists()


def test_an_entry_the_service_would_refuse_is_refused_before_the_confirmation(charge):
    # The first POST tries the write and rolls it back: no confirmation for an entry that cannot be written.
    response = charge.post(NOUVEL_ENGAGEMENT, saisie(montant="12 800 000,01"))

    assert response.status_code == 200
    assert "Vous allez engager" not in response.content.decode()
    assert DEPASSEMENT in " ".join(response.context["form"].errors["justification_depassement"])
    assert not Engagement.objects.exists()


def test_the_trial_of_the_first_post_leaves_no_trace_in_the_running_totals(charge, biovallee, investissement):
    charge.post(NOUVEL_ENGAGEMENT, saisie(montant="12 800 000,00"))

    investissement.refresh_from_db()
    assert investissement.montant_engage == Decimal("0.00")
    assert biovallee.allocations.get(enveloppe=investissement).montant_engage == Decimal("0.00")
    assert not Engagement.objects.exists()


def test_the_officer_goes_back_to_edit_the_values_they_typed(charge):
    premier = charge.post(NOUVEL_ENGAGEMENT, saisie())

    retour = charge.post(NOUVEL_ENGAGEMENT, {**champs_caches(premier), "modifier": "1"})

    assert retour.status_code == 200 and "Vous allez" not in retour.content.decode()
    page = retour.content.decode()
    assert 'value="1\u202f000,50"' in page and 'value="CP-2"' in page
    assert not retour.context["form"].errors
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("verbe", "chemin", "modele", "nature"),
    [
        ("libérer", "/engagements/{engagement}/desengagement/", Engagement, "desengagement"),
        ("verser", "/engagements/{engagement}/versement/", Versement, "versement"),
        ("annuler", "/versements/{versement}/annulation/", Versement, "annulation"),
    ],
)
def test_every_ledger_form_asks_for_a_confirmation_with_its_own_verb(
    charge, biovallee, investissement, engagement, verbe, chemin, modele, nature
):
    versement = services.versement_create(
        engagement=engagement, montant=Decimal("500000.00"), date="2024-04-01", reference="V-1", by=None
    )
    url = chemin.format(engagement=engagement.uid, versement=versement.uid)
    avant = modele.objects.filter(nature=nature).count()

    premier = charge.post(url, {"montant": "400 000,25", "date": "2024-06-03", "reference": "M-1", "motif": "Motif"})

    phrase = f"Vous allez {verbe} 400\u202f000,25\u00a0€ sur {biovallee.titre} ({investissement.libelle})"
    assert phrase in premier.content.decode()
    assert modele.objects.filter(nature=nature).count() == avant

    confirme = charge.post(url, {**champs_caches(premier), "confirmer": "1"})

    assert confirme.status_code == 302 and confirme["Location"] == biovallee.get_absolute_url()
    ecrites = modele.objects.filter(nature=nature, reference="M-1")
    assert [e.montant for e in ecrites] == [Decimal("400000.25")]
    assert modele.objects.filter(nature=nature).count() == avant + 1
