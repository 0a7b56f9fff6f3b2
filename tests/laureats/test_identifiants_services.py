"""laureats.services: an organisation's SIREN and RNA, its establishments' SIRETs, each write historised."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from financements.models import Allocation, Convention
from laureats import services
from laureats.models import Etablissement, Organisation
from tests.factories import compte

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return compte("charge")


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.get(slug="dijon-metropole")


def motifs(instance) -> list[str]:
    return list(instance.history.order_by("history_id").values_list("history_change_reason", flat=True))


def test_an_officer_enters_a_siren_and_an_rna_typed_the_french_way(organisation, officer):
    services.organisation_identifiants_update(
        organisation=organisation, siren="242\u00a0100\u00a0410", rna="w 211 000 001", by=officer
    )

    organisation.refresh_from_db()
    assert (organisation.siren, organisation.rna) == ("242100410", "W211000001")
    dernier = organisation.history.latest()
    assert dernier.history_user == officer and dernier.history_change_reason == "Identifiants modifiés : SIREN, RNA"


def test_an_unchanged_form_writes_no_history(organisation, officer):
    services.organisation_identifiants_update(organisation=organisation, siren="242100410", rna="", by=officer)
    avant = organisation.history.count()

    services.organisation_identifiants_update(organisation=organisation, siren="242 100 410", rna="", by=officer)

    assert organisation.history.count() == avant


def test_wrong_identifiers_are_refused_field_by_field_and_nothing_is_written(organisation, officer):
    with pytest.raises(ValidationError) as exc:
        services.organisation_identifiants_update(organisation=organisation, siren="242100411", rna="W12", by=officer)

    assert exc.value.message_dict == {
        "siren": ["Clé de contrôle du SIREN invalide : un chiffre est faux ou deux sont inversés."],
        "rna": ["Le numéro RNA est un W suivi de neuf chiffres (par exemple W751234567)."],
    }
    organisation.refresh_from_db()
    assert (organisation.siren, organisation.rna) == ("", "")


def test_a_siren_or_an_rna_another_organisation_holds_is_refused_naming_it(organisation, officer):
    autre = Organisation.objects.exclude(pk=organisation.pk).first()
    services.organisation_identifiants_update(organisation=autre, siren="242100410", rna="W211000001", by=officer)

    with pytest.raises(ValidationError) as exc:
        services.organisation_identifiants_update(
            organisation=organisation, siren="242100410", rna="W211000001", by=officer
        )

    assert exc.value.message_dict == {
        "siren": [f"Ce SIREN est déjà celui de « {autre.nom} »."],
        "rna": [f"Ce numéro RNA est déjà celui de « {autre.nom} »."],
    }


def test_an_establishment_is_added_with_its_siret_typed_with_spaces_and_historised(organisation, officer):
    etablissement = services.etablissement_create(
        organisation=organisation, siret="552 100 554 00013", libelle="  Siège ", by=officer
    )

    assert (etablissement.siret, etablissement.libelle) == ("55210055400013", "Siège")
    assert motifs(etablissement) == ["Établissement ajouté : SIRET 552 100 554 00013"]
    assert etablissement.history.latest().history_user == officer


def test_la_postes_establishments_are_accepted_under_their_own_rule(officer):
    la_poste = services.organisation_create(nom="La Poste", siren="356 000 000", by=officer)

    services.etablissement_create(organisation=la_poste, siret="35600000000048", libelle="Siège", by=officer)
    services.etablissement_create(organisation=la_poste, siret="35600000000001", libelle="Bureau", by=officer)

    assert sorted(la_poste.etablissements.values_list("siret", flat=True)) == ["35600000000001", "35600000000048"]


def test_a_siret_outside_the_organisations_siren_is_refused(organisation, officer):
    services.organisation_identifiants_update(organisation=organisation, siren="242100410", rna="", by=officer)

    with pytest.raises(ValidationError) as exc:
        services.etablissement_create(organisation=organisation, siret="55210055400013", libelle="", by=officer)

    assert exc.value.message_dict["siret"] == [
        "Ce SIRET n'est pas un établissement de « Dijon Métropole » : ses neuf premiers chiffres "
        "(552 100 554) devraient être son SIREN (242 100 410)."
    ]
    assert not Etablissement.objects.exists()


def test_a_siren_that_its_establishments_do_not_begin_with_is_refused(organisation, officer):
    services.etablissement_create(organisation=organisation, siret="55210055400013", libelle="", by=officer)

    with pytest.raises(ValidationError) as exc:
        services.organisation_identifiants_update(organisation=organisation, siren="242100410", rna="", by=officer)

    assert "SIRET 552 100 554 00013" in exc.value.message_dict["siren"][0]
    organisation.refresh_from_db()
    assert organisation.siren == ""


def test_an_invalid_or_taken_siret_is_refused_and_nothing_is_written(organisation, officer):
    with pytest.raises(ValidationError) as exc:
        services.etablissement_create(organisation=organisation, siret="55210055400014", libelle="", by=officer)
    assert exc.value.message_dict["siret"] == [
        "Clé de contrôle du SIRET invalide : un chiffre est faux ou deux sont inversés."
    ]
    services.etablissement_create(organisation=organisation, siret="55210055400013", libelle="", by=officer)
    autre = Organisation.objects.exclude(pk=organisation.pk).first()

    with pytest.raises(ValidationError) as exc:
        services.etablissement_create(organisation=autre, siret="55210055400013", libelle="", by=officer)

    assert exc.value.message_dict["siret"] == ["Ce SIRET est déjà enregistré pour « Dijon Métropole »."]
    assert list(Etablissement.objects.values_list("organisation_id", flat=True)) == [organisation.pk]


def test_an_establishment_is_removed_with_its_reason(organisation, officer):
    etablissement = services.etablissement_create(
        organisation=organisation, siret="55210055400013", libelle="", by=officer
    )

    services.etablissement_delete(etablissement=etablissement, by=officer)

    assert not Etablissement.objects.exists()
    assert motifs(etablissement)[-1] == "Établissement retiré : SIRET 552 100 554 00013"


def test_an_establishment_a_convention_names_cannot_be_removed(officer):
    allocation = Allocation.objects.select_related("projet__chef_de_file", "enveloppe").get(
        projet__slug="biovallee", enveloppe__code="subvention"
    )
    beneficiaire = allocation.projet.chef_de_file
    etablissement = services.etablissement_create(
        organisation=beneficiaire, siret="55210055400013", libelle="Siège", by=officer
    )
    Convention.objects.create(
        projet=allocation.projet, enveloppe=allocation.enveloppe, allocation=allocation, beneficiaire=beneficiaire,
        etablissement=etablissement, objet="Animation du territoire", date_signature=datetime.date(2020, 6, 1),
        reference="TI-BIO-1",
    )  # fmt: skip

    with pytest.raises(ValidationError) as exc:
        services.etablissement_delete(etablissement=etablissement, by=officer)

    assert exc.value.messages == [
        "L'établissement SIRET 552 100 554 00013 ne peut être retiré : "
        "convention « Convention TI-BIO-1 — Association Biovallée » le désigne."
    ]
    assert Etablissement.objects.filter(pk=etablissement.pk).exists()


def test_an_organisation_created_with_a_partner_has_its_siren_key_checked(officer):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(nom="Commune de Die", siren="212 601 133", by=officer)

    assert exc.value.message_dict["siren"] == [
        "Clé de contrôle du SIREN invalide : un chiffre est faux ou deux sont inversés."
    ]
    assert services.organisation_create(nom="Commune de Die", siren="212.601.132", by=officer).siren == "212601132"
