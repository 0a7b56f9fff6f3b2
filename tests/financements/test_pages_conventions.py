"""The officers' pages for conventions: signature with its schedule, payments, amendments, through the services.

Every figure the detail page shows is recomputed here from the rows (tranches, disbursements),
never read back from the code that computes it.
"""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from financements.models import Avenant, Convention, Engagement, Tranche, Versement
from laureats.models import Etablissement, Organisation, Partenariat
from tests import grand_livre as services
from tests.factories import OrganisationFactory, compte

pytestmark = pytest.mark.django_db

NOUVELLE = "/projets/biovallee/conventions/nouvelle/"
D = Decimal


class _ChampsCaches(HTMLParser):
    def __init__(self):
        super().__init__()
        self.champs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name") != "csrfmiddlewaretoken":
            self.champs.append((attrs["name"], attrs.get("value") or ""))


def champs_caches(response) -> dict[str, list[str]]:
    """The values the confirmation page carries to the confirm POST, as a browser sends them."""
    parser = _ChampsCaches()
    parser.feed(response.content.decode())
    champs: dict[str, list[str]] = {}
    for nom, valeur in parser.champs:
        champs.setdefault(nom, []).append(valeur)
    return champs


def chiffres(response) -> dict[str, Decimal]:
    """Every figure of the page by its key (data-chiffre), with its exact value (data-valeur)."""
    return {
        cle: Decimal(valeur)
        for cle, valeur in re.findall(r'data-chiffre="([^"]+)" data-valeur="([^"]*)"', response.content.decode())
        if valeur
    }


def logged_in(role: str, **kwargs) -> Client:
    client = Client()
    client.force_login(compte(role, **kwargs))
    return client


@pytest.fixture
def charge() -> Client:
    return logged_in("charge")


@pytest.fixture
def partenaire_du_projet(biovallee) -> Organisation:
    organisation = OrganisationFactory(nom="Régie des eaux du Diois")
    Partenariat.objects.create(projet=biovallee, organisation=organisation)
    Etablissement.objects.create(organisation=organisation, siret="73282932000074", libelle="Siège")
    return organisation


def saisie(beneficiaire: Organisation, *, tranches=None, **changes) -> dict:
    """The create form as an officer fills it: three tranches in rows 0, 2 and 3 (row 1 left empty)."""
    tranches = tranches if tranches is not None else [
        ("2024-03-01", "100 000", "À la signature"),
        None,
        ("2025-03-01", "250\u00a0000,50", "Sur justificatifs"),
        ("2026-03-01", "149 999,50", "Au solde"),
    ]  # fmt: skip
    data = {
        "beneficiaire": str(beneficiaire.pk), "objet": "Réseau de chaleur du Diois", "date_signature": "2024-02-15",
        "reference": "CONV-2024-01", "montant": "500 000", "nature_aide": "numeraire",
        "conditions_versement": "echelonne", "notification_ue": "non", "regime_aide": "",
        "pourcentage_subvention": "45,5", "etablissement": "",
        "tranches-TOTAL_FORMS": str(max(len(tranches), 6)), "tranches-INITIAL_FORMS": "0",
        "tranches-MIN_NUM_FORMS": "0", "tranches-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for rang, tranche in enumerate(tranches):
        if tranche is not None:
            data |= dict(zip((f"tranches-{rang}-date_prevue", f"tranches-{rang}-montant", f"tranches-{rang}-condition"),
                             tranche, strict=True))  # fmt: skip
    return data | changes


def rien_d_ecrit() -> bool:
    return not (Convention.objects.exists() or Tranche.objects.exists() or Engagement.objects.exists())


def test_an_officer_records_a_convention_with_three_tranches_once_confirmed(charge, biovallee, partenaire_du_projet):
    premier = charge.post(NOUVELLE, saisie(partenaire_du_projet))

    assert premier.status_code == 200
    page = premier.content.decode()
    assert (
        "Vous allez enregistrer la convention CONV-2024-01 avec Régie des eaux du Diois et engager "
        f"500\u202f000,00\u00a0€ sur {biovallee.titre} (Subventions), en 3 tranches" in page
    )
    assert "Tranche 2 : 250\u202f000,50\u00a0€ prévus le 01/03/2025 (Sur justificatifs)" in page
    assert rien_d_ecrit()

    confirme = charge.post(NOUVELLE, {**champs_caches(premier), "confirmer": "1"})

    convention = Convention.objects.get()
    assert confirme.status_code == 302 and confirme["Location"] == f"/conventions/{convention.uid}/"
    assert (convention.projet, convention.beneficiaire, convention.montant) == (
        biovallee, partenaire_du_projet, D("500000.00")
    )
    assert (convention.pourcentage_subvention, convention.notification_ue) == (D("45.50"), False)
    assert [(t.numero, t.date_prevue, t.montant, t.condition) for t in convention.tranches.order_by("numero")] == [
        (1, datetime.date(2024, 3, 1), D("100000.00"), "À la signature"),
        (2, datetime.date(2025, 3, 1), D("250000.50"), "Sur justificatifs"),
        (3, datetime.date(2026, 3, 1), D("149999.50"), "Au solde"),
    ]
    engagement = Engagement.objects.get()
    assert (engagement.convention, engagement.montant, engagement.reference, str(engagement.date)) == (
        convention, D("500000.00"), "CONV-2024-01", "2024-02-15"
    )
    assert engagement.auteur.profil.role == "charge"


def _erreur_tranche(response, rang: int, champ: str) -> str:
    return " ".join(response.context["formset"].forms[rang].errors[champ])


@pytest.mark.parametrize(
    ("changes", "ou", "attendu"),
    [
        # The sum: refused for the schedule as a whole.
        ({"montant": "500 000,01"}, "echeancier", "Les tranches totalisent 500\u202f000,00 €, la convention 500\u202f000,01 €"),
        # The second tranche sent is the formset's row 2 (row 1 was left empty).
        ({"tranches-2-date_prevue": "2024-01-31"}, ("tranche", 2, "date_prevue"),
         "Tranche 2 prévue le 31/01/2024, avant la convention du 15/02/2024."),
        ({"pourcentage_subvention": "150"}, ("form", "pourcentage_subvention"),
         "La part du coût éligible est comprise entre 0,01 et 100 %."),
        ({"pourcentage_subvention": "12,345"}, ("form", "pourcentage_subvention"), "2 chiffres après la virgule"),
        ({"conditions_versement": "unique"}, ("form", "conditions_versement"), "Un versement unique se fait en une tranche"),
        ({"notification_ue": "oui"}, ("form", None), "nomme son régime d'aides"),
        ({"tranches-3-montant": "1e3"}, ("tranche", 3, "montant"), "Saisissez un montant en euros"),
        ({"date_signature": "2030-01-01"}, ("form", "date_signature"), "ne peut pas être datée dans le futur"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(
    charge, partenaire_du_projet, changes, ou, attendu
):
    for donnees in (saisie(partenaire_du_projet, **changes), {**saisie(partenaire_du_projet, **changes), "confirmer": "1"}):
        response = charge.post(NOUVELLE, donnees)

        assert response.status_code == 200 and "Vous allez" not in response.content.decode()
        if ou == "echeancier":
            texte = " ".join(response.context["erreurs_echeancier"])
            assert attendu in response.content.decode().replace("&#x27;", "'")
        elif ou[0] == "tranche":
            texte = _erreur_tranche(response, ou[1], ou[2])
        else:
            texte = " ".join(response.context["form"].errors[ou[1] or "__all__"])
        assert attendu in texte
        assert rien_d_ecrit()


def test_a_beneficiary_outside_the_project_is_refused_even_with_a_crafted_id(charge, biovallee):
    ailleurs = Organisation.objects.exclude(pk=biovallee.chef_de_file_id).exclude(partenariats__projet=biovallee).first()

    response = charge.post(NOUVELLE, {**saisie(ailleurs), "confirmer": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors["beneficiaire"] == [
        "Le bénéficiaire d'une convention est le chef de file ou un partenaire du projet."
    ]
    assert rien_d_ecrit()
    assert ailleurs.nom not in response.content.decode().split('name="beneficiaire"')[1].split("</select>")[0]


def test_a_convention_above_what_is_left_of_the_planned_subsidy_is_refused(charge, biovallee, subvention):
    services.engagement_create(
        projet=biovallee, enveloppe=subvention, montant=D("5300000.00"), date="2024-01-10", reference="CP-1",
        motif="Première convention", by=None,
    )  # fmt: skip
    avant = (Convention.objects.count(), Tranche.objects.count(), Engagement.objects.count())

    response = charge.post(NOUVELLE, saisie(biovallee.chef_de_file))

    assert "il reste 400\u202f000,00 € à engager" in " ".join(response.context["form"].errors["montant"])
    assert (Convention.objects.count(), Tranche.objects.count(), Engagement.objects.count()) == avant
