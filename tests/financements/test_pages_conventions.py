"""The officers' pages for conventions: signature with its schedule, payments, amendments, through the services.

Every figure the detail page shows is recomputed here from the rows (tranches, disbursements),
never read back from the code that computes it.
"""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from financements.models import Avenant, Convention, Engagement, Tranche, Versement
from laureats.models import Etablissement, Organisation, Partenariat, Projet
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
        biovallee,
        partenaire_du_projet,
        D("500000.00"),
    )
    assert (convention.pourcentage_subvention, convention.notification_ue) == (D("45.50"), False)
    assert [(t.numero, t.date_prevue, t.montant, t.condition) for t in convention.tranches.order_by("numero")] == [
        (1, datetime.date(2024, 3, 1), D("100000.00"), "À la signature"),
        (2, datetime.date(2025, 3, 1), D("250000.50"), "Sur justificatifs"),
        (3, datetime.date(2026, 3, 1), D("149999.50"), "Au solde"),
    ]
    engagement = Engagement.objects.get()
    assert (engagement.convention, engagement.montant, engagement.reference, str(engagement.date)) == (
        convention,
        D("500000.00"),
        "CONV-2024-01",
        "2024-02-15",
    )
    assert engagement.auteur.profil.role == "charge"


def _erreur_tranche(response, rang: int, champ: str) -> str:
    return " ".join(response.context["formset"].forms[rang].errors[champ])


@pytest.mark.parametrize(
    ("changes", "ou", "attendu"),
    [
        # The sum: refused for the schedule as a whole.
        ({"montant": "500 000,01"}, "echeancier",
         "Les tranches totalisent 500\u202f000,00 €, la convention 500\u202f000,01 €"),
        # The second tranche sent is the formset's row 2 (row 1 was left empty).
        ({"tranches-2-date_prevue": "2024-01-31"}, ("tranche", 2, "date_prevue"),
         "Tranche 2 prévue le 31/01/2024, avant la convention du 15/02/2024."),
        ({"pourcentage_subvention": "150"}, ("form", "pourcentage_subvention"),
         "La part du coût éligible est comprise entre 0,01 et 100 %."),
        ({"pourcentage_subvention": "12,345"}, ("form", "pourcentage_subvention"), "2 chiffres après la virgule"),
        ({"conditions_versement": "unique"}, ("form", "conditions_versement"),
         "Un versement unique se fait en une tranche"),
        ({"notification_ue": "oui"}, ("form", "regime_aide"), "nomme son régime d'aides"),
        ({"tranches-3-montant": "1e3"}, ("tranche", 3, "montant"), "Saisissez un montant en euros"),
        ({"date_signature": "2099-01-01"}, ("form", "date_signature"), "ne peut pas être datée dans le futur"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(
    charge, partenaire_du_projet, changes, ou, attendu
):
    for donnees in (
        saisie(partenaire_du_projet, **changes),
        {**saisie(partenaire_du_projet, **changes), "confirmer": "1"},
    ):
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
    ailleurs = (
        Organisation.objects.exclude(pk=biovallee.chef_de_file_id).exclude(partenariats__projet=biovallee).first()
    )

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


@pytest.fixture
def convention(biovallee, partenaire_du_projet) -> Convention:
    """500 000 € in three tranches: the first two planned in the past, the third in the future."""
    futur = timezone.localdate() + datetime.timedelta(days=400)
    return services.convention_create(
        projet=biovallee, beneficiaire=partenaire_du_projet, objet="Réseau de chaleur", date_signature="2024-02-15",
        reference="CONV-1", montant=D("500000.00"), by=None,
        tranches=[
            {"date_prevue": "2024-03-01", "montant": D("100000.00"), "condition": "À la signature"},
            {"date_prevue": "2025-03-01", "montant": D("250000.00"), "condition": "Sur justificatifs"},
            {"date_prevue": futur, "montant": D("150000.00"), "condition": "Au solde"},
        ],
    )  # fmt: skip


def payer(client, convention, numero: int, montant: str | None, reference: str, date: str = "2025-04-01"):
    """Pay a tranche through its page: the trial POST, then the confirm POST with what it carried."""
    url = f"/conventions/{convention.uid}/tranches/{numero}/paiement/"
    donnees = {"date": date, "reference": reference, "motif": ""}
    if montant is not None:
        donnees["montant"] = montant
    premier = client.post(url, donnees)
    assert premier.status_code == 200 and "Vous allez verser" in premier.content.decode(), (
        premier.context and premier.context["form"].errors
    )
    return client.post(url, {**champs_caches(premier), "confirmer": "1"})


def test_a_tranche_is_paid_in_part_then_in_full(charge, convention):
    url = f"/conventions/{convention.uid}/tranches/2/paiement/"
    # The amount offered is what is left on the tranche.
    assert charge.get(url).context["form"]["montant"].value() == "250\u202f000,00"

    assert payer(charge, convention, 2, "100 000,25", "V-1").status_code == 302
    assert charge.get(url).context["form"]["montant"].value() == "149\u202f999,75"
    refus = charge.post(url, {"montant": "149 999,76", "date": "2025-04-02", "reference": "V-2", "confirmer": "1"})
    assert "il reste 149\u202f999,75 €" in " ".join(refus.context["form"].errors["montant"])
    assert payer(charge, convention, 2, "149 999,75", "V-2", date="2025-04-02").status_code == 302

    tranche = convention.tranches.get(numero=2)
    assert [(v.reference, v.montant) for v in tranche.versements.order_by("date")] == [
        ("V-1", D("100000.25")),
        ("V-2", D("149999.75")),
    ]
    page = charge.get(f"/conventions/{convention.uid}/").content.decode()
    ligne = page.split('data-tranche="2"')[1].split("</tr>")[0]
    assert 'data-statut="payee"' in ligne and "Payer" not in ligne


def test_an_amendment_raises_then_lowers_the_convention_and_its_schedule(charge, convention):
    url = f"/conventions/{convention.uid}/avenant/"
    hausse = {"variation": "50 000", "date": "2025-05-01", "reference": "AV-1", "motif": "Travaux supplémentaires"}

    premier = charge.post(url, hausse)
    assert "Vous allez enregistrer l'avenant AV-1 à la convention CONV-1 et engager 50\u202f000,00\u00a0€" in (
        premier.content.decode().replace("&#x27;", "'")
    )
    assert not Avenant.objects.exists()
    assert charge.post(url, {**champs_caches(premier), "confirmer": "1"}).status_code == 302

    convention.refresh_from_db()
    assert convention.montant == D("550000.00")
    assert convention.tranches.get(numero=3).montant == D("200000.00")  # the last tranche not paid
    assert convention.ecritures.get(reference="AV-1").montant == D("50000.00")

    baisse = {"variation": "-80 000,50", "date": "2025-06-01", "reference": "AV-2", "motif": "Lot abandonné"}
    premier = charge.post(url, baisse)
    assert "libérer 80\u202f000,50\u00a0€" in premier.content.decode()
    assert charge.post(url, {**champs_caches(premier), "confirmer": "1"}).status_code == 302

    convention.refresh_from_db()
    assert convention.montant == D("469999.50")
    assert sum(t.montant for t in convention.tranches.all()) == D("469999.50")
    # The most recent commitment (the raise) is released first, then the signature's.
    liberations = Engagement.objects.filter(avenant__numero=2).order_by("id")
    assert [(e.nature, e.reference, e.montant, e.engagement_origine.reference) for e in liberations] == [
        ("desengagement", "AV-2", D("50000.00"), "AV-1"),
        ("desengagement", "AV-2-2", D("30000.50"), "CONV-1"),
    ]


def test_an_amendment_with_its_own_schedule_and_one_that_cannot_be_released(charge, convention):
    url = f"/conventions/{convention.uid}/avenant/"
    services.tranche_pay(tranche=convention.tranches.get(numero=1), montant=D("100000.00"), date="2024-04-01",
                         reference="V-1", by=None)  # fmt: skip
    form = charge.get(url).context["formset"]
    lignes = {f"tranches-{i}-{k}": v for i, f in enumerate(form.forms) for k, v in f.initial.items()}
    assert lignes["tranches-0-numero"] == 1 and lignes["tranches-2-montant"] == D("150000.00")
    donnees = {
        "variation": "10 000", "date": "2025-05-01", "reference": "AV-1", "motif": "Étude", "nouvel_echeancier": "on",
        "tranches-TOTAL_FORMS": "5", "tranches-INITIAL_FORMS": "3", "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "1000",
        "tranches-0-numero": "1", "tranches-0-date_prevue": "2024-03-01", "tranches-0-montant": "100 000",
        "tranches-0-condition": "À la signature",
        "tranches-1-numero": "2", "tranches-1-date_prevue": "2025-03-01", "tranches-1-montant": "250 000",
        "tranches-1-condition": "Sur justificatifs",
        "tranches-2-numero": "3", "tranches-2-date_prevue": "2027-03-01", "tranches-2-montant": "150 000",
        "tranches-2-condition": "Au solde",
        "tranches-3-date_prevue": "2027-09-01", "tranches-3-montant": "10 000", "tranches-3-condition": "Étude",
    }  # fmt: skip
    # The schedule typed must make the new amount: the refusal is for the schedule, nothing written.
    refus = charge.post(url, {**donnees, "tranches-3-montant": "9 000", "confirmer": "1"})
    assert "l'échéancier doit en faire exactement le montant" in " ".join(refus.context["erreurs_echeancier"])
    # A tranche is never planned below what was paid on it: the refusal is on its row.
    refus = charge.post(url, {**donnees, "tranches-0-montant": "90 000", "tranches-1-montant": "260 000",
                              "confirmer": "1"})  # fmt: skip
    assert "100\u202f000,00 € déjà versés" in " ".join(refus.context["formset"].forms[0].errors["montant"])
    assert not Avenant.objects.exists()

    assert charge.post(url, {**donnees, "confirmer": "1"}).status_code == 302
    assert [(t.numero, t.montant) for t in convention.tranches.order_by("numero")] == [
        (1, D("100000.00")),
        (2, D("250000.00")),
        (3, D("150000.00")),
        (4, D("10000.00")),
    ]

    # A cut takes only what is not paid: 410 000 € are left to release, not 410 000,01 €.
    refus = charge.post(url, {"variation": "-410 000,01", "date": "2025-06-01", "reference": "AV-2", "motif": "Non",
                              "confirmer": "1"})  # fmt: skip
    assert "410\u202f000,00 €" in " ".join(refus.context["form"].errors["variation"])
    assert Avenant.objects.count() == 1


def test_the_schedule_is_re_planned_with_a_reason(charge, convention):
    url = f"/conventions/{convention.uid}/echeancier/"
    donnees = {
        "motif": "Chantier décalé",
        "tranches-TOTAL_FORMS": "5", "tranches-INITIAL_FORMS": "3", "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "1000",
        "tranches-0-numero": "1", "tranches-0-date_prevue": "2024-03-01", "tranches-0-montant": "100 000",
        "tranches-0-condition": "À la signature",
        "tranches-1-numero": "2", "tranches-1-date_prevue": "2026-09-01", "tranches-1-montant": "200 000",
        "tranches-1-condition": "Sur justificatifs",
        "tranches-2-numero": "3", "tranches-2-DELETE": "on", "tranches-2-date_prevue": "2027-03-01",
        "tranches-2-montant": "150 000", "tranches-2-condition": "Au solde",
        "tranches-4-date_prevue": "2027-01-01", "tranches-4-montant": "200 000", "tranches-4-condition": "Au solde",
    }  # fmt: skip
    refus = charge.post(url, {**donnees, "motif": ""})
    assert refus.context["form"].errors["motif"]

    assert charge.post(url, donnees).status_code == 302

    assert [(t.numero, str(t.date_prevue), t.montant) for t in convention.tranches.order_by("numero")] == [
        (1, "2024-03-01", D("100000.00")),
        (2, "2026-09-01", D("200000.00")),
        (4, "2027-01-01", D("200000.00")),
    ]
    assert convention.tranches.get(numero=2).history.latest().history_change_reason == (
        "Échéancier modifié : Chantier décalé"
    )
    historique = charge.get(f"/conventions/{convention.uid}/historique/").content.decode()
    assert "Échéancier modifié : Chantier décalé" in historique and "Suppression" in historique


def test_the_publication_fields_are_completed_on_their_own_page(charge, convention, partenaire_du_projet):
    detail = charge.get(f"/conventions/{convention.uid}/").content.decode()
    assert detail.count("à compléter pour publication") == 5  # nature, conditions, UE, share, SIRET
    etablissement = partenaire_du_projet.etablissements.get()
    url = f"/conventions/{convention.uid}/modifier/"

    refus = charge.post(url, {"objet": "Réseau", "pourcentage_subvention": "0", "etablissement": etablissement.pk})
    assert refus.context["form"].errors["pourcentage_subvention"] == [
        "La part du coût éligible est comprise entre 0,01 et 100 %."
    ]

    reponse = charge.post(url, {
        "objet": "Réseau de chaleur", "etablissement": etablissement.pk, "nature_aide": "numeraire",
        "conditions_versement": "echelonne", "notification_ue": "oui", "regime_aide": "SA.40405",
        "pourcentage_subvention": "33,33",
    })  # fmt: skip
    assert reponse.status_code == 302
    convention.refresh_from_db()
    assert (convention.etablissement, convention.notification_ue, convention.pourcentage_subvention) == (
        etablissement,
        True,
        D("33.33"),
    )
    detail = charge.get(f"/conventions/{convention.uid}/").content.decode()
    assert "à compléter pour publication" not in detail and "73282932000074" in detail


def test_the_detail_page_figures_match_the_rows(charge, convention):
    services.tranche_pay(tranche=convention.tranches.get(numero=1), montant=D("100000.00"), date="2024-04-01",
                         reference="V-1", by=None)  # fmt: skip
    services.tranche_pay(tranche=convention.tranches.get(numero=2), montant=D("60000.10"), date="2025-04-01",
                         reference="V-2", by=None)  # fmt: skip
    services.versement_cancel(versement=Versement.objects.get(reference="V-2"), montant=D("10000.00"),
                              date="2025-05-01", reference="A-1", motif="Trop-perçu", by=None)  # fmt: skip

    response = charge.get(f"/conventions/{convention.uid}/")
    lus = chiffres(response)

    signe = {"versement": 1, "annulation": -1}
    versements = list(Versement.objects.filter(engagement__convention=convention))
    net = {t.numero: sum((signe[v.nature] * v.montant for v in versements if v.tranche_id == t.pk), D("0.00"))
           for t in convention.tranches.all()}  # fmt: skip
    for tranche in convention.tranches.all():
        assert lus[f"tranche/{tranche.numero}/montant"] == tranche.montant
        assert lus[f"tranche/{tranche.numero}/verse"] == net[tranche.numero]
        assert lus[f"tranche/{tranche.numero}/reste"] == tranche.montant - net[tranche.numero]
    total_verse = sum(signe[v.nature] * v.montant for v in versements)
    assert total_verse == D("150000.10")
    assert lus[f"convention/{convention.uid}/verse"] == total_verse
    assert lus[f"convention/{convention.uid}/reste"] == D("500000.00") - total_verse
    for annee in {t.date_prevue.year for t in convention.tranches.all()} | {v.date.year for v in versements}:
        prevu = sum((t.montant for t in convention.tranches.all() if t.date_prevue.year == annee), D("0.00"))
        verse = sum((signe[v.nature] * v.montant for v in versements if v.date.year == annee), D("0.00"))
        assert (lus[f"annee/{annee}/prevu"], lus[f"annee/{annee}/verse"]) == (prevu, verse)

    # The second tranche (planned 2025-03-01, 50 000,10 € paid) is overdue; the third is to come.
    page = response.content.decode()
    statuts = dict(re.findall(r'data-tranche="(\d)".*?data-statut="(\w+)"', page, re.S))
    assert statuts == {"1": "payee", "2": "en_retard", "3": "a_venir"}
    assert "1 tranche en retard" in page

    projet = charge.get("/projets/biovallee/")
    assert chiffres(projet)[f"convention/{convention.uid}/verse"] == total_verse
    assert "CONV-1" in projet.content.decode() and "1 tranche en retard" in projet.content.decode()


@pytest.mark.parametrize(("role", "attendu"), [("directeur", 403), ("partenaire", 403)])
def test_only_officers_write_conventions(role, attendu, convention, partenaire_du_projet):
    client = logged_in(role)
    avant = (Convention.objects.count(), Versement.objects.count(), Avenant.objects.count())
    assert client.post(NOUVELLE, {**saisie(partenaire_du_projet), "confirmer": "1"}).status_code == attendu
    assert (
        client.post(
            f"/conventions/{convention.uid}/tranches/1/paiement/",
            {"montant": "1", "date": "2024-04-01", "reference": "V", "confirmer": "1"},
        ).status_code
        == attendu
    )
    assert client.post(f"/conventions/{convention.uid}/avenant/", {}).status_code == attendu
    assert client.post(f"/conventions/{convention.uid}/modifier/", {}).status_code == attendu
    assert client.post(f"/conventions/{convention.uid}/echeancier/", {}).status_code == attendu
    assert (Convention.objects.count(), Versement.objects.count(), Avenant.objects.count()) == avant


def test_an_anonymous_visitor_is_sent_to_the_login_page(convention):
    for url in (NOUVELLE, f"/conventions/{convention.uid}/", f"/conventions/{convention.uid}/tranches/1/paiement/"):
        response = Client().post(url, {})
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert Client().get(f"/conventions/{convention.uid}/").status_code == 302


def test_who_reads_a_convention(convention, partenaire_du_projet):
    url = f"/conventions/{convention.uid}/"
    assert logged_in("directeur").get(url).status_code == 200
    # A partner whose organisation takes part in the project (here its lead), or the beneficiary itself.
    assert logged_in("partenaire").get(url).status_code == 200
    beneficiaire = logged_in("partenaire", organisation="Régie des eaux du Diois")
    page = beneficiaire.get(url)
    assert page.status_code == 200 and "Payer" not in page.content.decode()
    # Another laureate's partner reads nothing of it, nor sees the list on the project page.
    autre = Organisation.objects.exclude(partenariats__projet=convention.projet).exclude(
        pk=convention.projet.chef_de_file_id).filter(partenariats__isnull=False).first()  # fmt: skip
    etranger = logged_in("partenaire", organisation=autre.nom)
    assert etranger.get(url).status_code == 403
    assert "CONV-1" not in etranger.get("/projets/biovallee/").content.decode()
    assert "CONV-1" not in Client().get("/projets/biovallee/").content.decode()


def test_the_old_ledger_forms_point_to_the_convention_paths(charge, convention, biovallee):
    engagement = convention.ecritures.get()

    versement = charge.get(f"/engagements/{engagement.uid}/versement/", follow=True)
    assert versement.redirect_chain == [(f"/conventions/{convention.uid}/", 302)]
    assert "un versement paie une tranche" in versement.content.decode()
    liberation = charge.post(f"/engagements/{engagement.uid}/desengagement/", {"montant": "1"}, follow=True)
    assert liberation.redirect_chain == [(f"/conventions/{convention.uid}/avenant/", 302)]
    assert "ne change que par un avenant" in liberation.content.decode()

    nouvelle = charge.get("/projets/biovallee/engagements/nouveau/?enveloppe=subvention", follow=True)
    assert nouvelle.redirect_chain == [(NOUVELLE, 302)]
    refus = charge.post("/projets/biovallee/engagements/nouveau/", {
        "enveloppe": "subvention", "montant": "1", "date": "2024-05-02", "reference": "X", "motif": "Y"})  # fmt: skip
    assert "Une subvention s'engage par une convention" in refus.context["form"].errors["enveloppe"][0]
    assert Engagement.objects.count() == 1
    page = charge.get("/projets/biovallee/").content.decode()
    assert "Nouvelle convention" in page and "Payer une tranche" in page


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.navigateur
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent : `apt-get install chromium`")
def test_an_officer_adds_a_tranche_row_in_the_browser_and_records_the_convention(programme_charge, live_server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé (make installer)")
    projet = Projet.objects.get(slug="biovallee")
    client = Client()
    client.force_login(compte("charge"))
    session = client.cookies["sessionid"].value
    hote = live_server.url.split("//")[1].split(":")[0]

    with sync_api.sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        contexte = navigateur.new_context(locale="fr-FR")
        contexte.add_cookies([{"name": "sessionid", "value": session, "domain": hote, "path": "/"}])
        page = contexte.new_page()
        erreurs = []
        page.on("pageerror", lambda e: erreurs.append(str(e)))
        page.goto(live_server.url + NOUVELLE)
        lignes_avant = page.locator("tbody[data-echeancier] tr[data-tranche]").count()
        page.get_by_role("button", name="Ajouter une tranche").click()
        lignes_apres = page.locator("tbody[data-echeancier] tr[data-tranche]").count()
        total = page.locator('input[name="tranches-TOTAL_FORMS"]').input_value()

        page.select_option('select[name="beneficiaire"]', str(projet.chef_de_file_id))
        page.fill('textarea[name="objet"]', "Maison de l'agroécologie")
        page.fill('input[name="date_signature"]', "2024-02-15")
        page.fill('input[name="reference"]', "CONV-NAV")
        page.fill('input[name="montant"]', "300 000,50")
        page.fill('input[name="tranches-0-date_prevue"]', "2024-03-01")
        page.fill('input[name="tranches-0-montant"]', "100 000")
        page.fill('input[name="tranches-0-condition"]', "À la signature")
        # The row the button added, the seventh.
        page.fill('input[name="tranches-6-date_prevue"]', "2026-03-01")
        page.fill('input[name="tranches-6-montant"]', "200 000,50")
        page.fill('input[name="tranches-6-condition"]', "Au solde")
        page.get_by_role("button", name="Continuer").click()
        phrase = page.locator(".fr-callout__text").text_content()
        page.get_by_role("button", name="Confirmer l'écriture").click()
        page.wait_for_url(re.compile(r".*/conventions/[0-9a-f-]{36}/$"))
        titre = page.locator("h1").text_content()
        navigateur.close()

    assert (lignes_avant, lignes_apres, total) == (6, 7, "7")
    assert "engager 300\u202f000,50\u00a0€" in phrase and "en 2 tranches" in phrase
    assert titre == "Convention CONV-NAV"
    convention = Convention.objects.get(reference="CONV-NAV")
    assert [(t.numero, t.montant, t.condition) for t in convention.tranches.order_by("numero")] == [
        (1, D("100000.00"), "À la signature"),
        (2, D("200000.50"), "Au solde"),
    ]
    assert not erreurs


def test_the_date_pickers_show_their_dates_in_iso_as_browsers_read_them(charge, convention):
    # A date input (type="date") shows nothing for « 01/03/2024 »: the value must be 2024-03-01.
    paiement = charge.get(f"/conventions/{convention.uid}/tranches/1/paiement/").content.decode()
    assert f'type="date" name="date" value="{timezone.localdate().isoformat()}"' in paiement
    echeancier = charge.get(f"/conventions/{convention.uid}/echeancier/").content.decode()
    assert 'type="date" name="tranches-0-date_prevue" value="2024-03-01"' in echeancier


def test_an_amendment_follows_the_rows_the_officer_changed_even_without_ticking_the_box(charge, convention):
    url = f"/conventions/{convention.uid}/avenant/"
    lignes = {
        f"tranches-{rang}-{nom}": valeur
        for rang, ligne in enumerate(charge.get(url).context["formset"].initial)
        for nom, valeur in {**ligne, "date_prevue": ligne["date_prevue"].isoformat()}.items()
    }
    donnees = {
        **lignes, "tranches-TOTAL_FORMS": "3", "tranches-INITIAL_FORMS": "3", "variation": "10 000",
        "date": "2025-05-01", "reference": "AV-1", "motif": "Étude",
    }  # fmt: skip
    # Left as shown: the service adjusts the last tranche not paid.
    assert charge.post(url, {**donnees, "confirmer": "1"}).status_code == 302
    assert convention.tranches.get(numero=3).montant == D("160000.00")

    # A row changed: the schedule is the one typed (10 000 € more on the second tranche).
    lignes = {
        f"tranches-{rang}-{nom}": valeur
        for rang, ligne in enumerate(charge.get(url).context["formset"].initial)
        for nom, valeur in {**ligne, "date_prevue": ligne["date_prevue"].isoformat()}.items()
    }
    donnees |= {**lignes, "reference": "AV-2", "tranches-1-montant": "260 000"}
    assert charge.post(url, {**donnees, "confirmer": "1"}).status_code == 302
    assert [t.montant for t in convention.tranches.order_by("numero")] == [
        D("100000.00"),
        D("260000.00"),
        D("160000.00"),
    ]
