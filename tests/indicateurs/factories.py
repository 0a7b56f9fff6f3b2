import datetime
import uuid
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from comptes.services import compte_create, jeton_create
from indicateurs.models import Indicateur, Mesure
from indicateurs.services import periode_of, periodes_sync
from tests.factories import ProjetFactory, organisation_named


def compte(role: str, **kwargs):
    """A user with a programme role; a director follows Auvergne-Rhône-Alpes, a partner is Biovallée's lead."""
    if role == "directeur":
        kwargs.setdefault("regions", ["84"])
    if role == "partenaire":
        kwargs["organisation"] = organisation_named(kwargs.get("organisation", "Association Biovallée"))
    return compte_create(username=kwargs.pop("username", f"{role}-{uuid.uuid4().hex[:8]}"), role=role, **kwargs)


def entetes(user) -> dict:
    """Headers of an API client authenticated with a fresh token of this user."""
    return {"HTTP_AUTHORIZATION": f"Token {jeton_create(user=user, nom=uuid.uuid4().hex[:8])[1]}"}


class IndicateurFactory(DjangoModelFactory):
    """An indicator on a new project's impact: from 100 jobs in 2019 to 200 at the end of 2030."""

    class Meta:
        model = Indicateur
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"indicateur-{n}")
    impact = factory.LazyFunction(lambda: ProjetFactory().impacts.get())
    libelle = factory.Faker("sentence", nb_words=4, locale="fr_FR")
    unite = "emplois"
    sens = Indicateur.Sens.HAUSSE
    mode = Indicateur.Mode.ABSOLU
    valeur_reference = Decimal("100")
    valeur_cible = Decimal("200")
    echeance = datetime.date(2030, 12, 31)

    @factory.post_generation
    def periodes(indicateur, create, extracted, **kwargs):
        # As the fixture loader does: an indicator comes with its reporting periods.
        if create:
            periodes_sync(indicateurs=Indicateur.objects.filter(pk=indicateur.pk))


class MesureFactory(DjangoModelFactory):
    class Meta:
        model = Mesure

    indicateur = factory.SubFactory(IndicateurFactory)
    # One kept value per indicator and date: each measurement its own day, a value in every unit's domain.
    date = factory.Sequence(lambda n: datetime.date(2024, 12, 31) - datetime.timedelta(days=n))
    periode = factory.LazyAttribute(lambda m: periode_of(indicateur=m.indicateur, date=m.date))
    valeur = Decimal("50")
    source = factory.Faker("sentence", nb_words=5, locale="fr_FR")
    statut = Mesure.Statut.SOUMISE

    class Params:
        validee = factory.Trait(statut=Mesure.Statut.VALIDEE, decision_le=factory.LazyFunction(timezone.now))
