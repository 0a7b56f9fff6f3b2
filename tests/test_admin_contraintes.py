"""The admin refuses on the form what the database would refuse: never an IntegrityError page.

One case per database rule (check and unique constraints, unique fields, the ledger's triggers)
of every model the admin may add or change. Each posts the admin's own form, as a browser
would, as a superuser, with one value that breaks the rule: the page comes back (200) with
the refusal in French on the form, and the table is as it was.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import models

from comptes.models import Profil
from financements.models import Allocation, Engagement, Enveloppe, Versement
from indicateurs import services as services_indicateurs
from indicateurs.models import EtapeRelance, ImpactQualitatif, Indicateur
from laureats.models import Organisation, Projet
from territoires.models import DirectionRegionale, Label, Region, Thematique, TypeTerritoire
from tests import grand_livre as services
from tests.factories import compte
from tests.pages.test_edition_sans_changement import _Formulaires, envoyer

# The ledger's and the measures' triggers exist in PostgreSQL only: there a case the admin let through
# would be the IntegrityError page; on SQLite the cases still check the form's refusal.
pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

FINE = "\u202f"


@dataclass
class Cas:
    url: str
    champs: dict
    message: str
    modeles: list[type[models.Model]] = field(default_factory=list)


def _engagement(reference="CP-1", montant="1000.00", date="2024-03-01", projet="biovallee") -> Engagement:
    # Equity: the admin's ledger forms write bare entries, and a subsidy is committed by its convention.
    return services.engagement_create(
        projet=Projet.objects.get(slug=projet), enveloppe=Enveloppe.objects.get(code="investissement"),
        montant=Decimal(montant), date=date, reference=reference, motif="Convention", by=None,
    )  # fmt: skip


def _versement(engagement: Engagement, reference="V-1", montant="400.00", date="2024-04-01") -> Versement:
    return services.versement_create(
        engagement=engagement, montant=Decimal(montant), date=date, reference=reference, by=None
    )


VERSEMENT_AJOUT = "/admin/financements/versement/add/"


def _formulaire_versement(engagement: Engagement, **champs) -> dict:
    """The admin's payment form: a valid payment on `engagement`, but for the fields a case breaks."""
    return {"engagement": engagement.pk, "nature": "versement", "montant": "100", "date": "2024-04-01",
            "reference": "V", **champs}  # fmt: skip


def _ecriture(**champs) -> dict:
    base = {
        "projet": Projet.objects.get(slug="biovallee").pk,
        "enveloppe": Enveloppe.objects.get(code="investissement").pk,
        "nature": "engagement", "montant": "1000", "date": "2024-05-01", "reference": "ADM", "motif": "Admin",
    }  # fmt: skip
    return {**base, **champs}


def _enveloppe(code="subvention") -> str:
    return f"/admin/financements/enveloppe/{Enveloppe.objects.get(code=code).pk}/change/"


def _indicateur(code="biovallee-production-energie-locale") -> str:
    return f"/admin/indicateurs/indicateur/{Indicateur.objects.get(code=code).pk}/change/"


def _projet() -> str:
    return f"/admin/laureats/projet/{Projet.objects.get(slug='biovallee').pk}/change/"


# financements


def plafond_sous_engage() -> Cas:
    _engagement(montant="1000.00")
    enveloppe = Enveloppe.objects.get(code="investissement")
    # What the other rows of the envelope already commit, plus the 1 000 € just committed.
    engage = enveloppe.montant_engage
    return Cas(
        _enveloppe("investissement"), {"plafond": "999,99"},
        f"Déjà {engage:,.2f}".replace(",", FINE).replace(".", ",") + " € engagés sur cette enveloppe",
        [Enveloppe],
    )  # fmt: skip


def plafond_nul() -> Cas:
    return Cas(_enveloppe(), {"plafond": "0"}, "strictement positif", [Enveloppe])


def enveloppe_code_unique() -> Cas:
    return Cas(
        "/admin/financements/enveloppe/add/",
        {"code": "subvention", "libelle": "Doublon", "plafond": "1000"},
        "existe déjà",
        [Enveloppe],
    )


def allocation_unique() -> Cas:
    return Cas(
        "/admin/financements/allocation/add/",
        {
            "projet": Projet.objects.get(slug="biovallee").pk,
            "enveloppe": Enveloppe.objects.get(code="subvention").pk,
            "montant": "1000",
        },  # fmt: skip
        "existe déjà",
        [Allocation],
    )


def allocation_sous_engage() -> Cas:
    # The planned subsidy, committed by a convention (tests/grand_livre.py).
    services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal("1000.00"), date="2024-03-01", reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip
    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe__code="subvention")
    return Cas(
        f"/admin/financements/allocation/{allocation.pk}/change/", {"montant": "999,99"},
        f"Déjà 1{FINE}000,00 € engagés : le montant ne peut être inférieur.", [Allocation],
    )  # fmt: skip


def engagement_montant_positif() -> Cas:
    return Cas("/admin/financements/engagement/add/", _ecriture(montant="0"), "strictement positif", [Engagement])


def desengagement_sans_origine() -> Cas:
    return Cas(
        "/admin/financements/engagement/add/", _ecriture(nature="desengagement"),
        "Indiquez l'engagement à libérer.", [Engagement],
    )  # fmt: skip


def depassement_sans_justification() -> Cas:
    allocation = Allocation.objects.filter(enveloppe__code="investissement", montant__gt=0).select_related("projet")[0]
    return Cas(
        "/admin/financements/engagement/add/",
        _ecriture(
            projet=allocation.projet.pk,
            enveloppe=allocation.enveloppe.pk,
            montant=str(allocation.montant + 1).replace(".", ","),
        ),
        "une justification est requise",
        [Engagement, Allocation],
    )


def engagement_reference_unique() -> Cas:
    _engagement(reference="CP-1")
    return Cas(
        "/admin/financements/engagement/add/", _ecriture(reference="CP-1"), "La référence CP-1 est déjà utilisée",
        [Engagement, Allocation],
    )  # fmt: skip


def engagement_dans_le_futur() -> Cas:
    demain = datetime.date.today() + datetime.timedelta(days=2)
    return Cas("/admin/financements/engagement/add/", _ecriture(date=demain.isoformat()), "dans le futur", [Engagement])


def desengagement_avant_engagement() -> Cas:
    engagement = _engagement(date="2024-03-01")
    return Cas(
        "/admin/financements/engagement/add/",
        _ecriture(nature="desengagement", engagement_origine=engagement.pk, date="2024-02-01"),
        "ne peut pas le précéder",
        [Engagement, Allocation],
    )


def desengagement_au_dela_du_non_verse() -> Cas:
    engagement = _engagement(montant="1000.00")
    _versement(engagement, montant="400.00")
    return Cas(
        "/admin/financements/engagement/add/",
        _ecriture(nature="desengagement", engagement_origine=engagement.pk, montant="600,01"),
        "On ne peut libérer que la part non versée",
        [Engagement, Allocation, Enveloppe],
    )


def versement_montant_positif() -> Cas:
    engagement = _engagement()
    return Cas(
        VERSEMENT_AJOUT,
        _formulaire_versement(engagement, montant="0"),
        "strictement positif",
        [Versement],
    )


def versement_au_dela_de_l_engage() -> Cas:
    engagement = _engagement(montant="1000.00")
    return Cas(
        VERSEMENT_AJOUT,
        _formulaire_versement(engagement, montant="1000,01"),
        "1\u202f000,00",
        [Versement, Allocation, Enveloppe],
    )


def versement_reference_unique() -> Cas:
    engagement = _engagement()
    _versement(engagement, reference="V-1", montant="100.00")
    return Cas(
        VERSEMENT_AJOUT,
        _formulaire_versement(engagement, reference="V-1"),
        "La référence V-1 est déjà utilisée",
        [Versement],
    )


def versement_avant_engagement() -> Cas:
    engagement = _engagement(date="2024-03-01")
    return Cas(
        VERSEMENT_AJOUT,
        _formulaire_versement(engagement, date="2024-02-01"),
        "ne peut pas le précéder",
        [Versement],
    )


def annulation_avant_versement() -> Cas:
    engagement = _engagement(date="2024-03-01")
    versement = _versement(engagement, date="2024-04-01")
    return Cas(
        VERSEMENT_AJOUT,
        _formulaire_versement(
            engagement,
            nature="annulation",
            versement_origine=versement.pk,
            date="2024-03-15",
            reference="A",
            motif="Trop-perçu",
        ),
        "ne peut pas le précéder",
        [Versement],
    )


def annulation_sans_motif() -> Cas:
    engagement = _engagement()
    versement = _versement(engagement)
    return Cas(
        VERSEMENT_AJOUT,
        _formulaire_versement(
            engagement, nature="annulation", versement_origine=versement.pk, date="2024-05-01", reference="A", motif=""
        ),
        "toujours motivée",
        [Versement],
    )


# laureats


def projet_collectivites_parmi_partenaires() -> Cas:
    return Cas(
        _projet(), {"nb_partenaires_declares": "3", "nb_collectivites_declarees": "4"},
        "Les collectivités sont comptées parmi les partenaires : au plus 3.", [Projet],
    )  # fmt: skip


def projet_budget_positif() -> Cas:
    return Cas(_projet(), {"budget_previsionnel": "0"}, "Le budget est strictement positif", [Projet])


def organisation_siren_neuf_chiffres() -> Cas:
    organisation = Organisation.objects.get(slug="dijon-metropole")
    return Cas(
        f"/admin/laureats/organisation/{organisation.pk}/change/", {"siren": "24210041"},
        "Le SIREN compte neuf chiffres", [Organisation],
    )  # fmt: skip


def organisation_siren_unique() -> Cas:
    Organisation.objects.filter(slug="dijon-metropole").update(siren="242100410")
    organisation = Organisation.objects.exclude(slug="dijon-metropole").first()
    return Cas(
        f"/admin/laureats/organisation/{organisation.pk}/change/", {"siren": "242100410"},
        "Une autre organisation porte déjà ce SIREN", [Organisation],
    )  # fmt: skip


def organisation_slug_unique() -> Cas:
    return Cas(
        "/admin/laureats/organisation/add/", {"nom": "Doublon", "slug": "dijon-metropole", "nature": "collectivite"},
        "existe déjà", [Organisation],
    )  # fmt: skip


# territoires


def region_code_unique() -> Cas:
    return Cas("/admin/territoires/region/add/", {"code": "84", "nom": "Ailleurs"}, "existe déjà", [Region])


def region_nom_unique() -> Cas:
    nom = Region.objects.get(code="84").nom
    return Cas("/admin/territoires/region/add/", {"code": "999", "nom": nom}, "existe déjà", [Region])


def direction_nom_unique() -> Cas:
    direction = DirectionRegionale.objects.first()
    return Cas(
        "/admin/territoires/directionregionale/add/", {"slug": "autre", "nom": direction.nom}, "existe déjà",
        [DirectionRegionale],
    )  # fmt: skip


def direction_slug_unique() -> Cas:
    direction = DirectionRegionale.objects.first()
    return Cas(
        "/admin/territoires/directionregionale/add/", {"slug": direction.slug, "nom": "Autre"}, "existe déjà",
        [DirectionRegionale],
    )  # fmt: skip


def vocabulaire_unique(modele, champ) -> Callable[[], Cas]:
    def cas() -> Cas:
        existant = modele.objects.first()
        champs = {"slug": "autre", "libelle": "Autre", champ: getattr(existant, champ)}
        if modele is TypeTerritoire:
            champs["categorie"] = existant.categorie
        return Cas(f"/admin/territoires/{modele._meta.model_name}/add/", champs, "existe déjà", [modele])

    return cas


def label_unique(champ) -> Callable[[], Cas]:
    def cas() -> Cas:
        existant = Label.objects.first()
        champs = {"slug": "autre", "nom": "Autre", champ: getattr(existant, champ)}
        return Cas("/admin/territoires/label/add/", champs, "existe déjà", [Label])

    return cas


# comptes


def partenaire_sans_organisation() -> Cas:
    profil = compte("charge").profil
    return Cas(
        f"/admin/comptes/profil/{profil.pk}/change/", {"role": "partenaire", "organisation": ""},
        "Un partenaire est rattaché à une organisation", [Profil],
    )  # fmt: skip


def profil_unique_par_utilisateur() -> Cas:
    user = compte("charge")
    return Cas("/admin/comptes/profil/add/", {"user": user.pk, "role": "charge"}, "existe déjà", [Profil])


def utilisateur_unique() -> Cas:
    compte("charge", username="agent")
    return Cas(
        "/admin/auth/user/add/",
        {
            "username": "agent",
            "password1": "Un-mot-de-passe-solide-42",
            "password2": "Un-mot-de-passe-solide-42",
        },  # fmt: skip
        "existe déjà",
        [get_user_model()],
    )


# indicateurs


def cible_contre_le_sens() -> Cas:
    # A rising indicator from 178 kWh: a target of 100 kWh would be a fall.
    return Cas(_indicateur(), {"valeur_cible": "100"}, "La cible va dans le sens de l'indicateur", [Indicateur])


def reference_apres_echeance() -> Cas:
    return Cas(_indicateur(), {"date_reference": "31/12/2031"}, "La date de référence précède l'échéance", [Indicateur])


def relatif_reference_non_nulle() -> Cas:
    return Cas(
        _indicateur("biovallee-consommation-energie-vallee"), {"valeur_reference": "5"},
        "Un indicateur relatif part d'une référence à 0", [Indicateur],
    )  # fmt: skip


def sens_inconnu() -> Cas:
    return Cas(_indicateur(), {"sens": "ailleurs"}, "Sélectionnez un choix valide", [Indicateur])


def unite_hors_domaine() -> Cas:
    indicateur = Indicateur.objects.get(code="biovallee-production-energie-locale")
    services_indicateurs.mesure_submit(
        indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("412"), source="Relevé",
        by=compte("partenaire"),
    )  # fmt: skip
    return Cas(_indicateur(), {"unite": "%"}, "y entrerait plus", [Indicateur])


def impact_qualitatif_unique() -> Cas:
    impact = ImpactQualitatif.objects.first().impact_id
    return Cas(
        "/admin/indicateurs/impactqualitatif/add/", {"impact": impact, "raison": "Doublon"}, "existe déjà",
        [ImpactQualitatif],
    )  # fmt: skip


def _etape_relance(code: str) -> EtapeRelance:
    # A transactional test's flush may have emptied the steps migration 0007 seeds.
    jours = {"avant": -15, "echeance": 0, "retard": 15}[code]
    return EtapeRelance.objects.get_or_create(code=code, defaults={"libelle": code, "jours": jours})[0]


def etape_relance_du_bon_cote() -> Cas:
    etape = _etape_relance("avant")
    return Cas(
        f"/admin/indicateurs/etaperelance/{etape.pk}/change/", {"jours": "5"}, "L'étape « avant » part de 1 à 365",
        [EtapeRelance],
    )  # fmt: skip


def etape_relance_ajoutee_du_bon_cote() -> Cas:
    EtapeRelance.objects.filter(code="retard").delete()
    champs = {"code": "retard", "libelle": "Relance", "jours": "-3", "active": "on"}
    return Cas("/admin/indicateurs/etaperelance/add/", champs, "l'étape « retard » de 1 à 365 jours", [EtapeRelance])


def etape_relance_unique() -> Cas:
    _etape_relance("echeance")
    champs = {"code": "echeance", "libelle": "Encore", "jours": "0", "active": "on"}
    return Cas("/admin/indicateurs/etaperelance/add/", champs, "existe déjà", [EtapeRelance])


CAS = [
    plafond_sous_engage, plafond_nul, enveloppe_code_unique, allocation_unique, allocation_sous_engage,
    engagement_montant_positif, desengagement_sans_origine, depassement_sans_justification,
    engagement_reference_unique, engagement_dans_le_futur, desengagement_avant_engagement,
    desengagement_au_dela_du_non_verse, versement_montant_positif, versement_au_dela_de_l_engage,
    versement_reference_unique, versement_avant_engagement, annulation_avant_versement, annulation_sans_motif,
    projet_collectivites_parmi_partenaires, projet_budget_positif, organisation_siren_neuf_chiffres,
    organisation_siren_unique, organisation_slug_unique, region_code_unique, region_nom_unique,
    direction_nom_unique, direction_slug_unique, partenaire_sans_organisation, profil_unique_par_utilisateur,
    utilisateur_unique, cible_contre_le_sens, reference_apres_echeance, relatif_reference_non_nulle, sens_inconnu,
    unite_hors_domaine, impact_qualitatif_unique, etape_relance_du_bon_cote, etape_relance_ajoutee_du_bon_cote,
    etape_relance_unique,
]  # fmt: skip
CAS += [
    pytest.param(vocabulaire_unique(m, c), id=f"{m.__name__}_{c}_unique")
    for m in (Thematique, TypeTerritoire) for c in ("slug", "libelle")
]  # fmt: skip
CAS += [pytest.param(label_unique(c), id=f"Label_{c}_unique") for c in ("slug", "nom")]


def _formulaire(client, url: str, champs: dict) -> dict:
    reponse = client.get(url)
    assert reponse.status_code == 200, url
    parser = _Formulaires()
    parser.feed(reponse.content.decode())
    (formulaire,) = [f for f in parser.formulaires if not f["action"]]
    remplaces = [(nom, champs.get(nom, valeur)) for nom, valeur in formulaire["champs"]]
    presents = {nom for nom, _ in remplaces}
    return {**formulaire, "champs": remplaces + [(nom, v) for nom, v in champs.items() if nom not in presents]}


def _etat(modeles) -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in modeles}


@pytest.mark.parametrize("preparer", CAS, ids=lambda f: getattr(f, "__name__", None))
def test_a_submission_the_database_would_refuse_is_a_form_error_and_writes_nothing(admin_client, preparer):
    cas = preparer()
    avant = _etat(cas.modeles)

    reponse = envoyer(admin_client, cas.url, _formulaire(admin_client, cas.url, cas.champs))

    assert reponse.status_code == 200
    formulaire = reponse.context["adminform"].form
    erreurs = " ".join(str(e) for liste in formulaire.errors.values() for e in liste)
    assert cas.message in erreurs
    assert _etat(cas.modeles) == avant
