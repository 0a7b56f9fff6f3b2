import datetime
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from comptes.models import Profil
from comptes.permissions import role_required
from comptes.roles import role_of
from config.erreurs import Conflit, erreurs_sur_formulaire
from config.saisie import montant_format
from financements import exports, services, tableaux
from financements.acces import voit_conventions
from financements.filters import EngagementFilterSet, VersementFilterSet
from financements.forms import (
    AvenantForm,
    ConventionForm,
    ConventionPublicationForm,
    EcheancierFormSet,
    EcheancierModifFormSet,
    EcheancierMotifForm,
    EngagementForm,
    MouvementForm,
    VersementForm,
)
from financements.models import Allocation, Convention, Engagement, Enveloppe, Tranche, Versement
from financements.selectors import (
    PROGRAMME_FIN,
    Chiffres,
    cumuls_mensuels,
    engagement_list,
    lignes_projets,
    mouvements_mensuels,
    prevision_versements,
    prevu_verse_par_annee,
    projets_finances,
    tableau_financier,
    tableau_synthese,
    versement_list,
)
from laureats.models import Organisation, Projet
from territoires.models import Region

LECTEURS = (Profil.Role.CHARGE, Profil.Role.DIRECTEUR)
# The dashboard's per-project table, like the ledger's pages; the exports hold every project.
PROJETS_PAR_PAGE = 50
MESSAGE_SUBVENTION = (
    "Une subvention s'engage par une convention avec son bénéficiaire, avec son échéancier : "
    "enregistrez la convention ci-dessous."
)
EXPORTS = ("csv", "xlsx")


@role_required(*LECTEURS)
def tableau_de_bord(request, code: str | None = None):
    # The region picker's form (sent by its button, never on a change of the list): the region's own address.
    choix = request.GET.get("region")
    if choix is not None and "export" not in request.GET:
        if choix and Region.objects.filter(code=choix).exists():
            return redirect("tableau_de_bord_region", code=choix)
        return redirect("tableau_de_bord")
    region = get_object_or_404(Region, code=code) if code else None
    jour = timezone.localdate()
    nom = f"financements-{code or 'programme'}"
    export = request.GET.get("export")
    if export in EXPORTS:
        choix = request.GET.get("tableau")
        if choix in tableaux.EXPORTS:
            colonnes, rows = tableaux.export_rows(choix, jour=jour, region_code=code)
            return exports.response(colonnes, rows, f"{nom}-{choix}", export)
        rows = exports.tableau_rows(tableau_financier(region_code=code))
        return exports.response(exports.COLONNES_TABLEAU, rows, nom, export)
    # The ledger's months by envelope, read once: the years' table and the chart.
    mouvements = mouvements_mensuels(region_code=code)
    tableau = tableau_synthese(region_code=code, mouvements=mouvements)
    # The per-project table, a page at a time: a count, then the page's allocations (the page's projects
    # in a subquery), whatever the number of projects. Out of range: the last page; not a number: the first.
    projets = Paginator(projets_finances(region_code=code), PROJETS_PAR_PAGE).get_page(request.GET.get("page"))
    tableau.projets = lignes_projets(Q(projet__in=projets.object_list))
    context = {
        "region": region,
        "tableau": tableau,
        "projets": projets,
        "series": cumuls_mensuels(mouvements=mouvements),
        # EXISTS probes the projects' region index; a join then DISTINCT would read every project.
        "regions": Region.objects.filter(Exists(Projet.objects.filter(region=OuterRef("pk")))).order_by("nom"),
        # The payment schedules: five queries whatever the number of tranches.
        "jour": jour,
        "retards": tableaux.retards_premiers(jour=jour, region_code=code),
        "prevu_verse": tableaux.prevu_verse(prevu_verse_par_annee(region_code=code)),
        "previsions": tableaux.previsions(
            prevision_versements(jour=jour, region_code=code),
            jour=jour,
            par_region=region is None,
            libelles={enveloppe.code: enveloppe.libelle for enveloppe, _ in tableau.cartes},
        ),
        "fin_programme": max(PROGRAMME_FIN, jour.year),
        "title": f"Financements — {region.nom}" if region else "Financements du programme",
    }
    return render(request, "financements/tableau_de_bord.html", context)


def _grand_livre_filtre(data) -> tuple[EngagementFilterSet, QuerySet, QuerySet]:
    """The form and the entries it selects; an invalid filter selects nothing, never the whole ledger."""
    filtres = EngagementFilterSet(data or None, queryset=engagement_list())
    if not filtres.is_bound:
        return filtres, engagement_list(), versement_list()
    if not filtres.is_valid():
        return filtres, Engagement.objects.none(), Versement.objects.none()
    # The same data through the disbursements' filter set: same fields, same meaning, one path to the project.
    return filtres, filtres.qs, VersementFilterSet(data, queryset=versement_list()).qs


@role_required(*LECTEURS)
def grand_livre(request):
    filtres, engagements, versements = _grand_livre_filtre(request.GET)
    if request.GET.get("export") in EXPORTS and not filtres.errors:
        rows = exports.grand_livre_rows(engagements, versements, lecteur=request.user)
        return exports.response(exports.COLONNES_GRAND_LIVRE, rows, "grand-livre", request.GET["export"])
    query = request.GET.copy()
    for cle in ("page", "page_versements", "export"):
        query.pop(cle, None)
    context = {
        "filtres": filtres,
        # The page's filters, plus any other the query string carries (an amount from the API), with its error.
        "champs": [
            filtres.form[nom] for nom in filtres.form.fields if nom in filtres.CHAMPS_HTML or nom in request.GET
        ],
        "engagements": Paginator(engagements, 50).get_page(request.GET.get("page")),
        "versements": Paginator(versements, 50).get_page(request.GET.get("page_versements")),
        "onglet_versements": "page_versements" in request.GET or request.GET.get("nature") in Versement.Nature.values,
        "query": query.urlencode(),
        "title": "Grand livre",
    }
    return render(request, "financements/grand_livre.html", context)


def _write_or_refuse(form, write, *, by, essai: bool) -> bool:
    """Run the write through its service (rolled back on a trial); a refusal becomes a form error."""
    try:
        with transaction.atomic():
            write(by=by, **form.cleaned_data)
            if essai:
                transaction.set_rollback(True)
    except (ValidationError, Conflit) as exc:
        erreurs_sur_formulaire(form, exc)
        return False
    return True


def _ecriture(
    request, *, form_class, write, titre: str, verbe: str, projet: Projet, retour: str,
    enveloppe: Enveloppe | None = None,
):  # fmt: skip
    """One ledger write through its service, once the officer has confirmed it; refusals come back as form errors.

    The first POST writes nothing: it shows the entry in words, with the cleaned values in
    hidden fields. Those come back from the browser, so the confirm POST is validated again.
    """
    form = form_class(request.POST or None)
    if request.method == "POST" and "modifier" not in request.POST and form.is_valid():
        confirme = "confirmer" in request.POST
        # The first POST runs the service and rolls it back, so every refusal (ceilings,
        # dates, a reference already used) shows before the officer is asked to confirm.
        if _write_or_refuse(form, write, by=request.user, essai=not confirme):
            if confirme:
                messages.success(request, "Écriture enregistrée au grand livre.")
                return redirect(retour)
            enveloppe = enveloppe or form.cleaned_data["enveloppe"]
            montant = montant_format(form.cleaned_data["montant"])
            context = {
                "title": titre, "projet": projet, "retour": retour,
                "phrase": f"Vous allez {verbe} {montant}\u00a0€ sur {projet.titre} ({enveloppe.libelle})",
                "valeurs": form_class(initial=form.cleaned_data),
            }  # fmt: skip
            return render(request, "financements/ecriture_confirmation.html", context)
    return render(
        request, "financements/ecriture.html", {"form": form, "title": titre, "projet": projet, "retour": retour,
        "propose_convention": form_class is EngagementForm}
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def engagement_create(request, slug: str):
    projet = get_object_or_404(Projet, slug=slug)
    if request.method == "GET" and request.GET.get("enveloppe") == Enveloppe.Code.SUBVENTION:
        messages.info(request, MESSAGE_SUBVENTION)
        return redirect("convention_create", slug=projet.slug)
    return _ecriture(
        request, form_class=EngagementForm, titre=f"Nouvel engagement — {projet.titre}", verbe="engager",
        projet=projet, retour=projet.get_absolute_url(),
        write=lambda **data: services.engagement_create(projet=projet, **data),
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def desengagement_create(request, uid):
    engagement = get_object_or_404(
        Engagement.objects.select_related("projet", "enveloppe", "convention"), uid=uid, nature="engagement"
    )
    if engagement.convention is not None:
        messages.info(
            request,
            f"L'engagement {engagement.reference} est celui de la convention {engagement.convention.reference} : "
            "son montant ne change que par un avenant, qui ajuste aussi l'échéancier.",
        )
        return redirect("avenant_create", uid=engagement.convention.uid)
    return _ecriture(
        request, form_class=MouvementForm, titre=f"Désengagement sur {engagement.reference}", verbe="libérer",
        projet=engagement.projet, enveloppe=engagement.enveloppe, retour=engagement.projet.get_absolute_url(),
        write=lambda **data: services.desengagement_create(engagement=engagement, **data),
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def versement_create(request, uid):
    engagement = get_object_or_404(
        Engagement.objects.select_related("projet", "enveloppe", "convention"), uid=uid, nature="engagement"
    )
    if engagement.convention is not None:
        messages.info(
            request,
            f"L'engagement {engagement.reference} est celui de la convention {engagement.convention.reference} : "
            "un versement paie une tranche de son échéancier. Choisissez « Payer » sur la tranche.",
        )
        return redirect("convention_detail", uid=engagement.convention.uid)
    return _ecriture(
        request, form_class=VersementForm, titre=f"Versement sur {engagement.reference}", verbe="verser",
        projet=engagement.projet, enveloppe=engagement.enveloppe, retour=engagement.projet.get_absolute_url(),
        write=lambda **data: services.versement_create(engagement=engagement, **data),
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def versement_cancel(request, uid):
    versement = get_object_or_404(
        Versement.objects.select_related("engagement__projet", "engagement__enveloppe"), uid=uid, nature="versement"
    )
    projet = versement.engagement.projet
    return _ecriture(
        request, form_class=MouvementForm, titre=f"Annulation du versement {versement.reference}", verbe="annuler",
        projet=projet, enveloppe=versement.engagement.enveloppe, retour=projet.get_absolute_url(),
        write=lambda **data: services.versement_cancel(versement=versement, **data),
    )  # fmt: skip


# --- Conventions: signature, schedule, amendments, payments ------------------------------------------------------

CHAMPS_SAISIE = ("csrfmiddlewaretoken", "confirmer", "modifier")


def _essai(write, *, essai: bool):
    """Run a write through its service, rolled back on a trial: (True, result) or (False, the refusal)."""
    try:
        with transaction.atomic():
            resultat = write()
            if essai:
                transaction.set_rollback(True)
    except (ValidationError, Conflit) as exc:
        return False, exc
    return True, resultat


def _refus_sur_formulaires(exc, form, formset=None, rangs=(), renommer: dict | None = None) -> list[str]:
    """A service's refusal next to its field: `tranches.1.montant` is the montant of the second row sent,
    which is row `rangs[1]` of the formset. Returns the refusals about the schedule as a whole."""
    if isinstance(exc, Conflit):
        refus = {exc.champ or "__all__": [exc.message]}
    elif hasattr(exc, "error_dict"):
        refus = exc.message_dict
    else:
        refus = {"__all__": exc.messages}
    echeancier = []
    for cle, textes in refus.items():
        cle = (renommer or {}).get(cle, cle)
        if formset is not None and cle == "tranches":
            echeancier.extend(textes)
            continue
        if formset is not None and cle.startswith("tranches."):
            _, rang, *champ = cle.split(".")
            if rang.isdigit() and int(rang) < len(rangs):
                ligne = formset.forms[rangs[int(rang)]]
                nom = champ[0] if champ and champ[0] in ligne.fields and champ[0] != "numero" else None
                ligne.add_error(nom, textes)
            else:
                echeancier.extend(textes)
            continue
        form.add_error(cle if cle in form.fields else None, textes)
    return echeancier


def _saisie_renvoyee(request) -> list[tuple[str, str]]:
    """What the officer typed, carried by the confirmation page to the confirm POST (validated again there)."""
    return [(nom, valeur) for nom in request.POST for valeur in request.POST.getlist(nom) if nom not in CHAMPS_SAISIE]


def _confirmation(request, *, titre: str, phrase: str, retour: str, details: list[str] = ()):
    context = {
        "title": titre, "phrase": phrase, "retour": retour, "champs_bruts": _saisie_renvoyee(request),
        "details": details,
    }  # fmt: skip
    return render(request, "financements/ecriture_confirmation.html", context)


def _organisations_du_projet(projet: Projet) -> QuerySet[Organisation]:
    """Who may sign a convention of the project: its lead and its recorded partners."""
    participe = Q(pk=projet.chef_de_file_id) | Q(partenariats__projet=projet)
    return Organisation.objects.filter(participe).distinct().order_by("nom")


def _lignes_tranches(lignes) -> list[dict]:
    return [{k: v for k, v in ligne.items() if k != "numero" or v is not None} for _, ligne in lignes]


def _phrase_tranches(lignes) -> list[str]:
    return [
        f"Tranche {rang} : {montant_format(ligne['montant'])}\u00a0€ prévus le {ligne['date_prevue']:%d/%m/%Y} "
        f"({ligne['condition']})"
        for rang, (_, ligne) in enumerate(lignes, start=1)
    ]


@role_required(Profil.Role.CHARGE)
def convention_create(request, slug: str):
    projet = get_object_or_404(Projet.objects.select_related("chef_de_file"), slug=slug)
    organisations = _organisations_du_projet(projet)
    donnees = request.POST if request.method == "POST" else None
    form = ConventionForm(donnees, organisations=organisations)
    formset = EcheancierFormSet(donnees, prefix="tranches")
    titre = f"Nouvelle convention — {projet.titre}"
    erreurs_echeancier: list[str] = []
    if donnees is not None and "modifier" not in donnees and form.is_valid() and formset.is_valid():
        lignes = formset.lignes()
        confirme = "confirmer" in donnees

        def write():
            return services.convention_create(
                projet=projet, tranches=_lignes_tranches(lignes), by=request.user, **form.cleaned_data
            )

        ecrit, resultat = _essai(write, essai=not confirme)
        if not ecrit:
            erreurs_echeancier = _refus_sur_formulaires(resultat, form, formset, [rang for rang, _ in lignes])
        elif confirme:
            messages.success(request, "Convention enregistrée ; son montant est engagé au grand livre.")
            return redirect("convention_detail", uid=resultat.uid)
        else:
            data = form.cleaned_data
            phrase = (
                f"Vous allez enregistrer la convention {data['reference']} avec {data['beneficiaire']} "
                f"et engager {montant_format(data['montant'])}\u00a0€ sur {projet.titre} (Subventions), "
                f"en {len(lignes)} tranche{'s' if len(lignes) > 1 else ''}"
            )
            return _confirmation(
                request, titre=titre, phrase=phrase, retour=request.path, details=_phrase_tranches(lignes)
            )
    allocation = Allocation.objects.filter(projet=projet, enveloppe__code=Enveloppe.Code.SUBVENTION).first()
    context = {
        "title": titre, "projet": projet, "form": form, "formset": formset, "erreurs_echeancier": erreurs_echeancier,
        "retour": projet.get_absolute_url(),
        "subvention": allocation and Chiffres(allocation.montant, allocation.montant_engage, allocation.montant_verse),
    }  # fmt: skip
    return render(request, "financements/convention_form.html", context)


def _convention_lue(request, uid) -> Convention:
    """The convention, if the reader may see it: anonymous visitors go to the login page, others get a 403."""
    if not request.user.is_authenticated:
        raise _Connexion
    convention = get_object_or_404(
        Convention.objects.select_related(
            "projet__region", "projet__chef_de_file", "beneficiaire", "etablissement", "enveloppe", "auteur__profil"
        ),
        uid=uid,
    )
    if not voit_conventions(request.user, convention.projet, beneficiaire_id=convention.beneficiaire_id):
        raise PermissionDenied("Cette convention n'est pas ouverte à votre rôle.")
    return convention


class _Connexion(Exception):
    """An anonymous visitor asked for a page that needs a login."""


def _connexion_requise(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Connexion:
            return redirect_to_login(request.get_full_path())

    return wrapper


STATUTS = {
    "payee": ("Payée", "success"),
    "partielle": ("Partiellement payée", "info"),
    "en_retard": ("En retard", "error"),
    "a_venir": ("À venir", "new"),
}


def _statut(tranche, jour: datetime.date) -> str:
    """A tranche is paid when nothing is left; overdue (as Tranche.objects.en_retard) when planned before today
    and not fully paid; otherwise partly paid or to come."""
    if tranche.reste <= 0:
        return "payee"
    if tranche.date_prevue < jour:
        return "en_retard"
    return "partielle" if tranche.verse > 0 else "a_venir"


def _a_completer(convention: Convention) -> list[str]:
    """The publication (SCDL) fields the convention still lacks."""
    manque = []
    if not convention.nature_aide:
        manque.append("nature de l'aide")
    if not convention.conditions_versement:
        manque.append("conditions de versement")
    if convention.notification_ue is None:
        manque.append("notification à la Commission européenne")
    if convention.pourcentage_subvention is None:
        manque.append("part du coût éligible")
    if convention.etablissement_id is None and not convention.beneficiaire.rna:
        manque.append("identifiant du bénéficiaire (SIRET d'un établissement, ou RNA pour une association)")
    return manque


@_connexion_requise
def convention_detail(request, uid):
    convention = _convention_lue(request, uid)
    jour = timezone.localdate()
    tranches = list(convention.tranches.with_verse().order_by("numero"))
    for tranche in tranches:
        tranche.statut = _statut(tranche, jour)
        tranche.statut_libelle, tranche.statut_badge = STATUTS[tranche.statut]
    verse = sum((t.verse for t in tranches), Decimal("0.00"))
    ecritures = (
        convention.ecritures.select_related("auteur__profil", "avenant", "engagement_origine")
        .prefetch_related(
            Prefetch(
                "versements",
                queryset=Versement.objects.select_related("auteur__profil", "tranche").order_by("date", "id"),
            )
        )
        .order_by("date", "id")
    )
    context = {
        "title": f"Convention {convention.reference}",
        "convention": convention,
        "projet": convention.projet,
        "tranches": tranches,
        "verse": verse,
        "reste": convention.montant - verse,
        "en_retard": sum(1 for t in tranches if t.statut == "en_retard"),
        "par_annee": prevu_verse_par_annee(convention=convention),
        "avenants": convention.avenants.select_related("auteur__profil").order_by("numero"),
        "ecritures": ecritures,
        "a_completer": _a_completer(convention),
        "peut_ecrire": role_of(request.user) == Profil.Role.CHARGE,
    }
    return render(request, "financements/convention_detail.html", context)


@role_required(Profil.Role.CHARGE)
def convention_update(request, uid):
    convention = get_object_or_404(Convention.objects.select_related("projet", "beneficiaire"), uid=uid)
    initial = {nom: getattr(convention, nom) for nom in services.CONVENTION_CHAMPS_MODIFIABLES}
    initial["notification_ue"] = {True: "oui", False: "non"}.get(convention.notification_ue, "")
    form = ConventionPublicationForm(
        request.POST or None, initial=initial, organisations=Organisation.objects.filter(pk=convention.beneficiaire_id)
    )
    if request.method == "POST" and form.is_valid():
        data = {nom: form.cleaned_data[nom] for nom in services.CONVENTION_CHAMPS_MODIFIABLES}
        ecrit, resultat = _essai(
            lambda: services.convention_update(convention=convention, data=data, by=request.user), essai=False
        )
        if ecrit:
            messages.success(request, "Convention complétée.")
            return redirect("convention_detail", uid=convention.uid)
        _refus_sur_formulaires(resultat, form)
    context = {
        "title": f"Compléter la convention {convention.reference}", "convention": convention, "form": form,
        "retour": reverse("convention_detail", args=[convention.uid]),
    }  # fmt: skip
    return render(request, "financements/convention_modifier.html", context)


def _echeancier_initial(convention: Convention) -> list[dict]:
    return [
        {"numero": t.numero, "date_prevue": t.date_prevue, "montant": t.montant, "condition": t.condition}
        for t in convention.tranches.order_by("date_prevue", "numero")
    ]


@role_required(Profil.Role.CHARGE)
def echeancier_update(request, uid):
    convention = get_object_or_404(Convention.objects.select_related("projet", "beneficiaire"), uid=uid)
    donnees = request.POST if request.method == "POST" else None
    form = EcheancierMotifForm(donnees)
    formset = EcheancierModifFormSet(donnees, prefix="tranches", initial=_echeancier_initial(convention))
    erreurs_echeancier: list[str] = []
    if donnees is not None and form.is_valid() and formset.is_valid():
        lignes = formset.lignes()
        ecrit, resultat = _essai(
            lambda: services.echeancier_update(
                convention=convention, tranches=_lignes_tranches(lignes), motif=form.cleaned_data["motif"],
                by=request.user,
            ),
            essai=False,
        )  # fmt: skip
        if ecrit:
            messages.success(request, "Échéancier modifié.")
            return redirect("convention_detail", uid=convention.uid)
        erreurs_echeancier = _refus_sur_formulaires(resultat, form, formset, [rang for rang, _ in lignes])
    context = {
        "title": f"Modifier l'échéancier de la convention {convention.reference}", "convention": convention,
        "form": form, "formset": formset, "erreurs_echeancier": erreurs_echeancier,
        "retour": reverse("convention_detail", args=[convention.uid]),
    }  # fmt: skip
    return render(request, "financements/echeancier_form.html", context)


@role_required(Profil.Role.CHARGE)
def avenant_create(request, uid):
    convention = get_object_or_404(Convention.objects.select_related("projet", "beneficiaire"), uid=uid)
    donnees = request.POST if request.method == "POST" else None
    form = AvenantForm(donnees)
    formset = EcheancierModifFormSet(donnees, prefix="tranches", initial=_echeancier_initial(convention))
    titre = f"Avenant à la convention {convention.reference}"
    erreurs_echeancier: list[str] = []
    # The schedule typed is read when the officer asks for it or changed a row; otherwise the service adjusts it.
    avec_echeancier = (
        donnees is not None and form.is_valid() and (form.cleaned_data["nouvel_echeancier"] or formset.has_changed())
    )
    if (
        donnees is not None
        and "modifier" not in donnees
        and form.is_valid()
        and (not avec_echeancier or formset.is_valid())
    ):
        lignes = formset.lignes() if avec_echeancier else []
        data = {k: v for k, v in form.cleaned_data.items() if k != "nouvel_echeancier"}
        confirme = "confirmer" in donnees

        def write():
            tranches = _lignes_tranches(lignes) if avec_echeancier else None
            return services.avenant_create(convention=convention, tranches=tranches, by=request.user, **data)

        ecrit, resultat = _essai(write, essai=not confirme)
        if not ecrit:
            erreurs_echeancier = _refus_sur_formulaires(
                resultat, form, formset, [rang for rang, _ in lignes], renommer={"montant": "variation"}
            )
        elif confirme:
            messages.success(request, "Avenant enregistré au grand livre ; l'échéancier est ajusté.")
            return redirect("convention_detail", uid=convention.uid)
        else:
            variation = data["variation"]
            verbe = "engager" if variation > 0 else "libérer"
            phrase = (
                f"Vous allez enregistrer l'avenant {data['reference']} à la convention {convention.reference} et "
                f"{verbe} {montant_format(abs(variation))}\u00a0€ sur {convention.projet.titre} (Subventions) : "
                f"la convention passe de {montant_format(convention.montant)}\u00a0€ à "
                f"{montant_format(convention.montant + variation)}\u00a0€"
            )
            details = _phrase_tranches(lignes) if avec_echeancier else [
                "L'échéancier est ajusté sur ses dernières tranches non payées."
            ]  # fmt: skip
            retour = reverse("convention_detail", args=[convention.uid])
            return _confirmation(request, titre=titre, phrase=phrase, retour=retour, details=details)
    context = {
        "title": titre, "convention": convention, "form": form, "formset": formset,
        "erreurs_echeancier": erreurs_echeancier, "retour": reverse("convention_detail", args=[convention.uid]),
    }  # fmt: skip
    return render(request, "financements/avenant_form.html", context)


@role_required(Profil.Role.CHARGE)
def tranche_pay(request, uid, numero: int):
    tranche = get_object_or_404(
        Tranche.objects.with_verse().select_related("convention__projet", "convention__beneficiaire"),
        convention__uid=uid,
        numero=numero,
    )
    convention = tranche.convention
    retour = reverse("convention_detail", args=[convention.uid])
    titre = f"Paiement de la tranche n° {tranche.numero} de la convention {convention.reference}"
    form = VersementForm(request.POST or None, initial={"montant": tranche.reste, "date": timezone.localdate()})
    if request.method == "POST" and "modifier" not in request.POST and form.is_valid():
        confirme = "confirmer" in request.POST
        ecrit, resultat = _essai(
            lambda: services.tranche_pay(tranche=tranche, by=request.user, **form.cleaned_data), essai=not confirme
        )
        if not ecrit:
            _refus_sur_formulaires(resultat, form)
        elif confirme:
            messages.success(request, "Versement enregistré au grand livre.")
            return redirect(retour)
        else:
            phrase = (
                f"Vous allez verser {montant_format(form.cleaned_data['montant'])}\u00a0€ à "
                f"{convention.beneficiaire} sur {convention.projet.titre} (Subventions), tranche n° {tranche.numero} "
                f"de la convention {convention.reference}"
            )
            return _confirmation(request, titre=titre, phrase=phrase, retour=retour)
    context = {"title": titre, "form": form, "projet": convention.projet, "retour": retour, "tranche": tranche}
    return render(request, "financements/ecriture.html", context)


OPERATIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}


@_connexion_requise
def convention_historique(request, uid):
    convention = _convention_lue(request, uid)
    evenements = [
        {"date": h.history_date, "quoi": "Convention", "user": h.history_user, "motif": h.history_change_reason,
         "type": OPERATIONS.get(h.history_type, h.history_type)}
        for h in convention.history.select_related("history_user__profil")
    ] + [
        {"date": h.history_date, "quoi": f"Tranche n° {h.numero} : {montant_format(h.montant)}\u00a0€ prévus le "
         f"{h.date_prevue:%d/%m/%Y} ({h.condition})", "user": h.history_user, "motif": h.history_change_reason,
         "type": OPERATIONS.get(h.history_type, h.history_type)}
        for h in Tranche.history.filter(convention_id=convention.pk).select_related("history_user__profil")
    ]  # fmt: skip
    evenements.sort(key=lambda e: e["date"], reverse=True)
    context = {"title": f"Historique de la convention {convention.reference}", "convention": convention,
               "evenements": evenements}  # fmt: skip
    return render(request, "financements/convention_historique.html", context)
