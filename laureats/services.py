"""Writes to a project's record: its fiche and life cycle, its partners, its objectives and impacts;
and to an organisation's legal identifiers (SIREN, RNA number, establishments' SIRETs).

The HTML forms call these, and so should any other entry point. Each write is
one transaction, validates with full_clean() before saving, and records who
made it and why in django-simple-history (`_history_user`, `_change_reason`),
so the project's history page can say who changed what, when.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from laureats.identifiants_legaux import rna_normalise, siren_format, siren_normalise, siret_format, siret_normalise
from laureats.models import Etablissement, Impact, Objectif, Organisation, Partenariat, Projet

# Fields of the fiche a programme officer may correct in the portal. The slug
# (public identifier) and the press-kit bookkeeping (order, page) stay fixed.
PROJET_CHAMPS_MODIFIABLES = (
    "titre",
    "intitule_sommaire",
    "region",
    "chef_de_file_libelle",
    "partenaires_libelle",
    "nb_partenaires_declares",
    "nb_collectivites_declarees",
    "population_libelle",
    "population_concernee",
    "ambition",
    "budget_previsionnel",
    # The project's life cycle: not in the fiche, entered by officers.
    "statut",
    "date_debut",
    "date_fin",
)
CYCLE_DE_VIE = ("statut", "date_debut", "date_fin")
# simple_history's change reason is a CharField(max_length=100).
MOTIF_MAX = 100


def _sauts_de_ligne(texte: str) -> str:
    """Line breaks as the fiches store them: browsers submit a textarea's lines with CRLF."""
    return texte.replace("\r\n", "\n").replace("\r", "\n")


def _trace(instance: models.Model, *, by: AbstractBaseUser | None, motif: str) -> None:
    """What simple_history writes in the record this save or delete creates."""
    instance._history_user = by
    instance._change_reason = motif[:MOTIF_MAX]


def _projet_check(projet: Projet) -> None:
    """The model's check constraints, with messages a person can act on."""
    errors = {}
    if projet.nb_collectivites_declarees > projet.nb_partenaires_declares:
        errors["nb_collectivites_declarees"] = (
            f"Les collectivités sont comptées parmi les partenaires : au plus {projet.nb_partenaires_declares}."
        )
    if projet.budget_previsionnel is not None and projet.budget_previsionnel <= 0:
        errors["budget_previsionnel"] = "Le budget est strictement positif ; laissez vide si la fiche n'en donne pas."
    if projet.date_debut and projet.date_fin and projet.date_fin < projet.date_debut:
        errors["date_fin"] = f"La date de fin ne peut précéder la date de début ({projet.date_debut:%d/%m/%Y})."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def projet_update(*, projet: Projet, data: dict[str, Any], by: AbstractBaseUser | None) -> Projet:
    """Correct the fiche's fields; its amounts are the project's allocations, a write of financements."""
    inconnus = set(data) - set(PROJET_CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(inconnus))}.")
    # Lock the row: two officers saving the same fiche at once write one after the other.
    projet = Projet.objects.select_for_update().get(pk=projet.pk)
    # Normalised before comparing: an unchanged textarea comes back with CRLF and is no change.
    data = {name: _sauts_de_ligne(value) if isinstance(value, str) else value for name, value in data.items()}
    changes = [name for name, value in data.items() if getattr(projet, name) != value]
    for name in changes:
        setattr(projet, name, data[name])
    if changes:
        _projet_check(projet)
        projet.full_clean()
        _trace(projet, by=by, motif=_projet_motif(projet, changes))
        projet.save()
    return projet


def _projet_motif(projet: Projet, changes: list[str]) -> str:
    """The history's reason: the fiche's correction, and what the life cycle became."""
    cycle = []
    if "statut" in changes:
        cycle.append(f"statut « {projet.get_statut_display()} »")
    for champ, libelle in (("date_debut", "début"), ("date_fin", "fin")):
        if champ in changes:
            date = getattr(projet, champ)
            cycle.append(f"{libelle} {date:%d/%m/%Y}" if date else f"{libelle} effacée")
    fiche = [name for name in changes if name not in CYCLE_DE_VIE]
    if not cycle:
        return "Fiche modifiée dans le portail"
    motif = "Cycle de vie : " + ", ".join(cycle)
    return f"Fiche modifiée dans le portail ; {motif}" if fiche else motif


@transaction.atomic
def projet_objectifs_encadrement_update(
    *, projet: Projet, introduction: str, conclusion: str, by: AbstractBaseUser | None
) -> Projet:
    """Correct the fiche's prose before and after its objectives list (blank where the fiche has none)."""
    projet = Projet.objects.select_for_update().get(pk=projet.pk)
    textes = {
        "objectifs_introduction": _sauts_de_ligne(introduction).strip(),
        "objectifs_conclusion": _sauts_de_ligne(conclusion).strip(),
    }
    changes = {name: texte for name, texte in textes.items() if getattr(projet, name) != texte}
    if not changes:
        return projet
    for name, texte in changes.items():
        setattr(projet, name, texte)
    projet.full_clean()
    _trace(projet, by=by, motif="Introduction ou conclusion des objectifs modifiée")
    projet.save()
    return projet


def _slug_organisation(nom: str) -> str:
    base = slugify(nom)[:100] or "organisation"
    existants = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in existants:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *, nom: str, siren: str = "", nature: str = Organisation.Nature.AUTRE, by: AbstractBaseUser | None
) -> Organisation:
    """A new organisation; its SIREN (nine digits and their key) is optional but unique."""
    nom, errors = nom.strip(), {}
    siren = _normalise(errors, "siren", siren_normalise, siren)
    if errors:
        raise ValidationError(errors)
    if siren and Organisation.objects.filter(siren=siren).exists():
        existante = Organisation.objects.get(siren=siren)
        raise ValidationError({"siren": f"Ce SIREN est déjà celui de « {existante.nom} »."})
    organisation = Organisation(nom=nom, siren=siren, nature=nature, slug=_slug_organisation(nom))
    organisation.full_clean()
    _trace(organisation, by=by, motif="Organisation créée dans le portail")
    organisation.save()
    return organisation


# Legal identifiers. Typed the French way ("552 100 554 00013"), stored as digits; each refusal
# names its field and the rule broken. None is ever inferred: they stay empty until entered.


def _normalise(errors: dict[str, list[str]], champ: str, normalise, valeur: str) -> str:
    try:
        return normalise(valeur)
    except ValidationError as exc:
        errors[champ] = exc.messages
        return ""


def _save_unique(instance: models.Model, *, champ: str, message: str) -> None:
    """Save; the unique constraint a concurrent write just took comes back as a field error, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({champ: message}) from exc


def projet_touch(projet_id: int) -> None:
    """What a project's record shows changed (a partnership, objective, impact, allocation or ledger entry):
    its modifie_le moves, so its ETag and the API's sync follow."""
    Projet.objects.filter(pk=projet_id).update(modifie_le=timezone.now())


def _organisation_touch(organisation: Organisation) -> None:
    """An establishment added or removed changes the organisation's record (API `updated_since`)."""
    Organisation.objects.filter(pk=organisation.pk).update(modifie_le=timezone.now())


def etablissements_hors_siren(organisation: Organisation, siren: str) -> str:
    """Why this SIREN cannot be the organisation's: its recorded establishments' SIRETs start otherwise ("" if none)."""
    if not siren or organisation.pk is None:
        return ""
    hors = [e.siret for e in organisation.etablissements.all() if not e.siret.startswith(siren)]
    if not hors:
        return ""
    sirets = ", ".join(siret_format(s) for s in hors)
    if len(hors) == 1:
        return (
            f"L'établissement enregistré (SIRET {sirets}) n'appartient pas au SIREN {siren_format(siren)} : "
            "retirez-le ou corrigez le SIREN."
        )
    return (
        f"Les établissements enregistrés (SIRET {sirets}) n'appartiennent pas au SIREN {siren_format(siren)} : "
        "retirez-les ou corrigez le SIREN."
    )


@transaction.atomic
def organisation_identifiants_update(
    *, organisation: Organisation, siren: str, rna: str, by: AbstractBaseUser | None
) -> Organisation:
    """Set or clear an organisation's SIREN and RNA number; its establishments must stay within its SIREN."""
    errors: dict[str, list[str]] = {}
    siren = _normalise(errors, "siren", siren_normalise, siren)
    rna = _normalise(errors, "rna", rna_normalise, rna)
    # Lock the row: the SIREN is compared with the establishments, which their services add under the same lock.
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if siren and "siren" not in errors:
        autre = Organisation.objects.filter(siren=siren).exclude(pk=organisation.pk).first()
        hors_siren = etablissements_hors_siren(organisation, siren)
        if autre is not None:
            errors["siren"] = [f"Ce SIREN est déjà celui de « {autre.nom} »."]
        elif hors_siren:
            errors["siren"] = [hors_siren]
    if rna and "rna" not in errors:
        autre = Organisation.objects.filter(rna=rna).exclude(pk=organisation.pk).first()
        if autre is not None:
            errors["rna"] = [f"Ce numéro RNA est déjà celui de « {autre.nom} »."]
    if errors:
        raise ValidationError(errors)
    changes = [libelle for champ, valeur, libelle in (("siren", siren, "SIREN"), ("rna", rna, "RNA"))
               if getattr(organisation, champ) != valeur]  # fmt: skip
    if not changes:
        return organisation
    organisation.siren, organisation.rna = siren, rna
    organisation.full_clean()
    _trace(organisation, by=by, motif=f"Identifiants modifiés : {', '.join(changes)}")
    _save_unique(organisation, champ="siren" if "SIREN" in changes else "rna",
                 message="Une autre organisation vient d'enregistrer cet identifiant.")  # fmt: skip
    return organisation


@transaction.atomic
def etablissement_create(
    *, organisation: Organisation, siret: str, libelle: str = "", by: AbstractBaseUser | None
) -> Etablissement:
    """Record an establishment of the organisation by its SIRET, whose first nine digits are its SIREN."""
    errors: dict[str, list[str]] = {}
    siret = _normalise(errors, "siret", siret_normalise, siret)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if siret and "siret" not in errors:
        existant = Etablissement.objects.filter(siret=siret).select_related("organisation").first()
        if existant is not None:
            errors["siret"] = [f"Ce SIRET est déjà enregistré pour « {existant.organisation.nom} »."]
        elif organisation.siren and siret[:9] != organisation.siren:
            errors["siret"] = [
                f"Ce SIRET n'est pas un établissement de « {organisation.nom} » : ses neuf premiers chiffres "
                f"({siren_format(siret[:9])}) devraient être son SIREN ({siren_format(organisation.siren)})."
            ]
    if errors:
        raise ValidationError(errors)
    etablissement = Etablissement(organisation=organisation, siret=siret, libelle=" ".join(libelle.split()))
    etablissement.full_clean()
    _trace(etablissement, by=by, motif=f"Établissement ajouté : SIRET {siret_format(siret)}")
    _save_unique(etablissement, champ="siret", message="Ce SIRET vient d'être enregistré par ailleurs.")
    _organisation_touch(organisation)
    return etablissement


@transaction.atomic
def etablissement_delete(*, etablissement: Etablissement, by: AbstractBaseUser | None) -> None:
    """Remove an establishment; refused while a record (a convention) names it."""
    etablissement = Etablissement.objects.select_related("organisation").get(pk=etablissement.pk)
    _trace(etablissement, by=by, motif=f"Établissement retiré : SIRET {siret_format(etablissement.siret)}")
    try:
        etablissement.delete()
    except models.ProtectedError as exc:
        cites = sorted({f"{o._meta.verbose_name} « {o} »" for o in exc.protected_objects})
        raise ValidationError(
            f"L'établissement SIRET {siret_format(etablissement.siret)} ne peut être retiré : "
            f"{', '.join(cites[:3])}{' …' if len(cites) > 3 else ''} le {'désignent' if len(cites) > 1 else 'désigne'}."
        ) from exc
    _organisation_touch(etablissement.organisation)


def _role_libre(*, projet: Projet, role: str, sauf: Partenariat | None = None) -> None:
    if role != Partenariat.Role.CHEF_DE_FILE:
        return
    autre = Partenariat.objects.filter(projet=projet, role=role).exclude(pk=getattr(sauf, "pk", None))
    autre = autre.select_related("organisation").first()
    if autre is not None:
        raise ValidationError(
            {"role": f"Le projet a déjà un chef de file : « {autre.organisation} ». Un projet n'en a qu'un."}
        )


@transaction.atomic
def partenariat_add(
    *, projet: Projet, organisation: Organisation, role: str, by: AbstractBaseUser | None
) -> Partenariat:
    """Record that an organisation takes part in a project, with its role."""
    if Partenariat.objects.filter(projet=projet, organisation=organisation).exists():
        raise ValidationError({"organisation": f"« {organisation} » est déjà partenaire de ce projet."})
    _role_libre(projet=projet, role=role)
    partenariat = Partenariat(projet=projet, organisation=organisation, role=role)
    partenariat.full_clean()
    _trace(partenariat, by=by, motif=f"Partenaire ajouté : {organisation.nom}")
    partenariat.save()
    projet_touch(projet.pk)
    return partenariat


@transaction.atomic
def partenariat_update(*, partenariat: Partenariat, role: str, by: AbstractBaseUser | None) -> Partenariat:
    """Change an organisation's role in a project."""
    partenariat = Partenariat.objects.select_for_update().select_related("organisation").get(pk=partenariat.pk)
    if partenariat.role == role:
        return partenariat
    _role_libre(projet=partenariat.projet, role=role, sauf=partenariat)
    partenariat.role = role
    partenariat.full_clean()
    _trace(partenariat, by=by, motif=f"Rôle modifié : {partenariat.organisation.nom}")
    partenariat.save()
    projet_touch(partenariat.projet_id)
    return partenariat


@transaction.atomic
def partenariat_remove(*, partenariat: Partenariat, by: AbstractBaseUser | None) -> None:
    """Remove an organisation from a project; the project's lead stays until replaced."""
    partenariat = Partenariat.objects.select_related("projet", "organisation").get(pk=partenariat.pk)
    if partenariat.organisation_id == partenariat.projet.chef_de_file_id:
        raise ValidationError(
            f"« {partenariat.organisation} » est le chef de file du projet : il ne peut pas en être retiré."
        )
    _trace(partenariat, by=by, motif=f"Partenaire retiré : {partenariat.organisation.nom}")
    partenariat.delete()
    projet_touch(partenariat.projet_id)


# Objectives and impacts: verbatim texts of the fiche, kept in the fiche's order.


def _texte_create(model: type[Objectif | Impact], *, projet: Projet, texte: str, by, motif: str):
    # Lock the project: two officers adding a text at once would take the same rank.
    Projet.objects.select_for_update().filter(pk=projet.pk).first()
    ordre = (model.objects.filter(projet=projet).aggregate(m=Max("ordre"))["m"] or 0) + 1
    obj = model(projet=projet, ordre=ordre, texte=_sauts_de_ligne(texte).strip())
    obj.full_clean()
    _trace(obj, by=by, motif=motif)
    obj.save()
    projet_touch(projet.pk)
    return obj


def _texte_update(obj: Objectif | Impact, *, texte: str, by, motif: str):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    texte = _sauts_de_ligne(texte).strip()
    if obj.texte == texte:
        return obj
    obj.texte = texte
    obj.full_clean()
    _trace(obj, by=by, motif=motif)
    obj.save()
    projet_touch(obj.projet_id)
    return obj


def _texte_move(obj: Objectif | Impact, *, vers: str, by, motif: str):
    """Swap a text with its neighbour above ("haut") or below ("bas")."""
    if vers not in ("haut", "bas"):
        raise ValidationError({"vers": "Direction inconnue : « haut » ou « bas »."})
    model = type(obj)
    Projet.objects.select_for_update().filter(pk=obj.projet_id).first()
    obj = model.objects.get(pk=obj.pk)
    voisins = model.objects.filter(projet_id=obj.projet_id)
    voisin = (
        voisins.filter(ordre__lt=obj.ordre).order_by("-ordre").first()
        if vers == "haut"
        else voisins.filter(ordre__gt=obj.ordre).order_by("ordre").first()
    )
    if voisin is None:
        return obj
    # (projet, ordre) is unique and not deferrable: go through a free rank.
    libre = (voisins.aggregate(m=Max("ordre"))["m"] or 0) + 1
    a, b = obj.ordre, voisin.ordre
    model.objects.filter(pk=obj.pk).update(ordre=libre)
    for item, ordre in ((voisin, a), (obj, b)):
        item.ordre = ordre
        _trace(item, by=by, motif=motif)
        item.save(update_fields=["ordre"])
    projet_touch(obj.projet_id)
    return obj


def _texte_delete(obj: Objectif | Impact, *, by, motif: str) -> None:
    _trace(obj, by=by, motif=motif)
    try:
        obj.delete()
    except models.ProtectedError as exc:
        noms = ", ".join(sorted({str(o) for o in exc.protected_objects})[:3])
        raise ValidationError(f"Ce texte porte des indicateurs ({noms}) : retirez-les d'abord.") from exc
    projet_touch(obj.projet_id)


@transaction.atomic
def objectif_create(*, projet: Projet, texte: str, by: AbstractBaseUser | None) -> Objectif:
    """Add a strategic objective at the end of the project's list."""
    return _texte_create(Objectif, projet=projet, texte=texte, by=by, motif="Objectif ajouté")


@transaction.atomic
def objectif_update(*, objectif: Objectif, texte: str, by: AbstractBaseUser | None) -> Objectif:
    return _texte_update(objectif, texte=texte, by=by, motif="Objectif modifié")


@transaction.atomic
def objectif_move(*, objectif: Objectif, vers: str, by: AbstractBaseUser | None) -> Objectif:
    return _texte_move(objectif, vers=vers, by=by, motif="Objectifs réordonnés")


@transaction.atomic
def objectif_delete(*, objectif: Objectif, by: AbstractBaseUser | None) -> None:
    _texte_delete(objectif, by=by, motif="Objectif supprimé")


@transaction.atomic
def impact_create(*, projet: Projet, texte: str, by: AbstractBaseUser | None) -> Impact:
    """Add a 2030 impact at the end of the project's list."""
    return _texte_create(Impact, projet=projet, texte=texte, by=by, motif="Impact ajouté")


@transaction.atomic
def impact_update(*, impact: Impact, texte: str, by: AbstractBaseUser | None) -> Impact:
    """Correct an impact's text; the passages its indicators quote must stay in it."""
    texte = _sauts_de_ligne(texte).strip()
    cites = [i for i in impact.indicateurs.all() if i.extrait and i.extrait not in texte]
    if cites:
        raise ValidationError(
            {
                "texte": f"L'indicateur « {cites[0].libelle} » cite « {cites[0].extrait} » : "
                "ce passage doit rester dans le texte de l'impact."
            }
        )
    return _texte_update(impact, texte=texte, by=by, motif="Impact modifié")


@transaction.atomic
def impact_move(*, impact: Impact, vers: str, by: AbstractBaseUser | None) -> Impact:
    return _texte_move(impact, vers=vers, by=by, motif="Impacts réordonnés")


@transaction.atomic
def impact_delete(*, impact: Impact, by: AbstractBaseUser | None) -> None:
    """Remove an impact; refused while indicators are defined on it."""
    _texte_delete(impact, by=by, motif="Impact supprimé")
