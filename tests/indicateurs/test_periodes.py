"""Reporting periods: written from each indicator's frequency and deadline, each with a state of its own."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from indicateurs import periodes, services
from indicateurs.models import EtatPeriode, Indicateur, Mesure, Periode
from tests.indicateurs.factories import IndicateurFactory, MesureFactory, compte

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("frequence", "nombre", "premiere", "derniere"),
    [
        ("annuelle", 11, (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)), datetime.date(2030, 1, 1)),
        ("semestrielle", 22, (datetime.date(2020, 1, 1), datetime.date(2020, 6, 30)), datetime.date(2030, 7, 1)),
        ("trimestrielle", 44, (datetime.date(2020, 1, 1), datetime.date(2020, 3, 31)), datetime.date(2030, 10, 1)),
    ],
)
def test_periods_run_from_the_first_full_year_to_the_deadline(frequence, nombre, premiere, derniere):
    bornes = periodes.bornes(
        frequence=frequence, debut_suivi=datetime.date(2020, 1, 1), echeance=datetime.date(2030, 12, 31),
        delai_jours=60,
    )  # fmt: skip
    assert len(bornes) == nombre
    assert bornes[0].cle == premiere
    assert bornes[-1].debut == derniere and bornes[-1].fin == datetime.date(2030, 12, 31)
    assert all(b.date_limite == b.fin + datetime.timedelta(days=60) for b in bornes)
    # Contiguous: each starts the day after the previous one ends.
    assert all(b.debut == a.fin + datetime.timedelta(days=1) for a, b in zip(bornes, bornes[1:], strict=False))


def test_period_labels_read_as_officers_write_them():
    assert periodes.libelle(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == "2025"
    assert periodes.libelle(datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)) == "2e semestre 2025"
    assert periodes.libelle(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)) == "1er trimestre 2025"
    assert periodes.libelle(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)) == "4e trimestre 2025"


def test_every_loaded_indicator_has_its_yearly_periods():
    indicateur = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    assert indicateur.frequence == Indicateur.Frequence.ANNUELLE
    debuts = list(indicateur.periodes.values_list("debut", flat=True))
    assert debuts == [datetime.date(annee, 1, 1) for annee in range(2020, indicateur.echeance.year + 1)]


def test_a_new_frequency_rewrites_the_calendar_and_moves_the_measurements():
    indicateur = IndicateurFactory()
    mesure = MesureFactory(indicateur=indicateur, date=datetime.date(2024, 8, 15))
    assert mesure.periode.debut == datetime.date(2024, 1, 1)

    services.indicateur_update(indicateur=indicateur, data={"frequence": "trimestrielle"}, by=None)

    assert indicateur.periodes.count() == 44
    mesure.refresh_from_db()
    assert (mesure.periode.debut, mesure.periode.fin) == (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30))
    assert mesure.periode.libelle == "3e trimestre 2024"
    # A second run has nothing to do.
    assert services.periodes_sync(indicateurs=Indicateur.objects.filter(pk=indicateur.pk)) == 0
    assert indicateur.periodes.count() == 44


def test_a_shorter_deadline_drops_the_periods_after_it():
    indicateur = IndicateurFactory()
    services.indicateur_update(indicateur=indicateur, data={"echeance": datetime.date(2027, 6, 30)}, by=None)
    assert indicateur.periodes.order_by("debut").last().debut == datetime.date(2027, 1, 1)


@override_settings(INDICATEURS_DELAI_DECLARATION_JOURS=30)
def test_the_grace_delay_is_a_setting():
    periode = IndicateurFactory().periodes.get(debut=datetime.date(2025, 1, 1))
    assert periode.date_limite == datetime.date(2026, 1, 30)


def _etat(indicateur, annee: int, jour=JOUR) -> str:
    return Periode.objects.with_etat(jour).get(indicateur=indicateur, debut=datetime.date(annee, 1, 1)).etat


def test_each_period_says_where_it_stands():
    indicateur = IndicateurFactory()
    # 2026 is not over; 2025 ended a month ago and is due on 1 March 2026 + ... (60 days after its end).
    assert _etat(indicateur, 2026) == EtatPeriode.A_VENIR
    assert _etat(indicateur, 2025, jour=datetime.date(2026, 1, 15)) == EtatPeriode.ATTENDUE
    assert _etat(indicateur, 2025, jour=datetime.date(2026, 3, 1)) == EtatPeriode.ATTENDUE  # the due date itself
    assert _etat(indicateur, 2025, jour=datetime.date(2026, 3, 2)) == EtatPeriode.EN_RETARD

    soumise = MesureFactory(indicateur=indicateur, date=datetime.date(2025, 12, 31))
    assert _etat(indicateur, 2025) == EtatPeriode.SOUMISE
    services.mesure_return(mesure=soumise, by=None, commentaire="La source ne couvre que le premier semestre.")
    assert _etat(indicateur, 2025) == EtatPeriode.A_REVOIR
    MesureFactory(indicateur=indicateur, date=datetime.date(2024, 12, 31), validee=True)
    assert _etat(indicateur, 2024) == EtatPeriode.VALIDEE
    # A rejected value does not count: the period is owed again.
    rejetee = MesureFactory(indicateur=indicateur, date=datetime.date(2023, 12, 31))
    services.mesure_reject(mesure=rejetee, by=None, commentaire="Doublon.")
    assert _etat(indicateur, 2023) == EtatPeriode.EN_RETARD


def test_a_measure_submitted_belongs_to_the_period_of_its_date():
    partenaire = compte("partenaire")
    indicateur = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    mesure = services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2025, 6, 30), valeur=Decimal("31"), source="Agence Bio",
        by=partenaire,
    )  # fmt: skip
    assert mesure.periode == indicateur.periodes.get(debut=datetime.date(2025, 1, 1))


def test_returned_for_revision_then_corrected_keeps_every_version():
    partenaire = compte("partenaire")
    charge = compte("charge")
    indicateur = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    mesure = services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2025, 12, 31), valeur=Decimal("13"), source="Agence Bio",
        by=partenaire,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refus:
        services.mesure_return(mesure=mesure, by=charge, commentaire="  ")
    assert "corriger" in refus.value.message_dict["commentaire"][0]

    services.mesure_return(mesure=mesure, by=charge, commentaire="13 % : chiffres inversés ?")
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.decision_par) == (Mesure.Statut.A_REVOIR, charge)
    # Nor validated, nor rejected while it waits for the partner.
    with pytest.raises(ValidationError):
        services.mesure_validate(mesure=mesure, by=charge)
    # The value stays out of the domain: the correction is refused and nothing changes.
    with pytest.raises(ValidationError):
        services.mesure_correct(mesure=mesure, valeur=Decimal("310"), source="Agence Bio", by=partenaire)
    mesure.refresh_from_db()
    assert mesure.statut == Mesure.Statut.A_REVOIR

    services.mesure_correct(mesure=mesure, valeur=Decimal("31.0"), source="Agence Bio 2025", by=partenaire)
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.valeur, mesure.commentaire) == (Mesure.Statut.SOUMISE, Decimal("31"), "")
    versions = list(mesure.history.order_by("history_date").values_list("statut", "valeur", "commentaire"))
    assert versions == [
        ("soumise", Decimal("13"), ""),
        ("a_revoir", Decimal("13"), "13 % : chiffres inversés ?"),
        ("soumise", Decimal("31"), ""),
    ]
    assert mesure.history.first().history_change_reason == "Mesure corrigée et soumise à nouveau"
    # Corrected once: it is back in the queue, not correctable again until sent back.
    with pytest.raises(ValidationError):
        services.mesure_correct(mesure=mesure, valeur=Decimal("32"), source="Agence Bio", by=partenaire)
    services.mesure_validate(mesure=mesure, by=charge)


def test_only_the_projects_partners_correct_their_measures():
    indicateur = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    mesure = MesureFactory(indicateur=indicateur, date=datetime.date(2025, 12, 31))
    services.mesure_return(mesure=mesure, by=None, commentaire="Préciser la source.")
    etranger = compte("partenaire", organisation="Grand Belfort")
    with pytest.raises(PermissionDenied):
        services.mesure_correct(mesure=mesure, valeur=Decimal("30"), source="x", by=etranger)
    with pytest.raises(ValidationError) as refus:
        services.mesure_correct(
            mesure=mesure, valeur=Decimal("30"), source="x", by=compte("partenaire"), date=datetime.date(2024, 5, 1)
        )
    assert "période" in refus.value.message_dict["date"][0]
