import factory
from factory.django import DjangoModelFactory

from financements.models import Allocation, Enveloppe
from laureats.models import Impact, Objectif, Organisation, Projet, ProjetThematique, ProjetTypeTerritoire
from territoires.models import Region, Thematique, TypeTerritoire


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    nom = factory.Faker("company", locale="fr_FR")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class ProjetFactory(DjangoModelFactory):
    class Meta:
        model = Projet
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"projet-{n}")
    titre = factory.Faker("catch_phrase", locale="fr_FR")
    region = factory.LazyFunction(lambda: Region.objects.order_by("?").first())
    chef_de_file = factory.SubFactory(OrganisationFactory)
    nb_partenaires_declares = 12
    nb_collectivites_declarees = 3
    population_concernee = factory.Faker("random_int", min=1000, max=2_000_000)
    ambition = factory.Faker("paragraph", locale="fr_FR")
    budget_previsionnel = factory.Faker("pydecimal", left_digits=8, right_digits=2, positive=True)

    @factory.post_generation
    def fiche(self, create, extracted, **kwargs):
        """Give the project what a fiche has: themes, types, texts, allocations."""
        if not create:
            return
        ProjetThematique.objects.create(
            projet=self, thematique=Thematique.objects.first(), libelle_fiche="Thématique", ordre=1
        )
        ProjetTypeTerritoire.objects.create(
            projet=self, type_territoire=TypeTerritoire.objects.first(), libelle_fiche="Type", ordre=1
        )
        Objectif.objects.create(projet=self, ordre=1, texte="Objectif")
        Impact.objects.create(projet=self, ordre=1, texte="Impact")
        for enveloppe in Enveloppe.objects.all():
            Allocation.objects.create(
                projet=self, enveloppe=enveloppe, montant=1_000_000, plafonnee=enveloppe.plafonne_par_projet
            )


def organisation_named(nom: str) -> Organisation:
    return Organisation.objects.get(nom=nom)


def compte(role: str, username: str | None = None, **kwargs):
    """A user with a programme role (and regions or organisation where the role needs them)."""
    from comptes.services import compte_create

    username = username or f"{role}-{factory.Faker('uuid4').evaluate(None, None, {'locale': None})[:8]}"
    if role == "directeur":
        kwargs.setdefault("regions", ["84"])
    if role == "partenaire":
        kwargs["organisation"] = organisation_named(kwargs.get("organisation", "Association Biovallée"))
    return compte_create(username=username, role=role, **kwargs)


def jeton(user) -> str:
    from comptes.services import jeton_create

    return jeton_create(user=user, nom="tests")[1]
