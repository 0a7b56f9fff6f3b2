"""The partners' reminders: each contact is mailed, in one digest a day, the periods their organisation still owes.

Steps (EtapeRelance, edited in the admin) are counted in days from a period's due
date: « avant » (−15 by default), « échéance » (0), « retard » (+15). A period is
reminded while its state on the day still asks for a value: à venir (a step set
before the period ends), attendue, en retard, or à revoir (a value sent back for
correction is owed again); a submitted or validated value stops the reminders.

Which step a period is at on `jour`: the latest active step whose day has come
(due date + delay <= jour). A run that comes late (the task down for a few days)
still sends that step; an earlier step whose turn was missed is not sent as well,
since the later one says more (a period first seen overdue, for instance on the
first run, gets the « retard » reminder alone, not three mails). A step before the
due date (negative delay) no longer fires once the date has passed: it would
announce a date already gone. Each (period, step, contact) is sent once.

Claims: each digest inserts its RelanceEnvoyee rows, unique on (period, step,
contact), in the same transaction as the sending, one savepoint per row. A second
run at the same time waits on the first one's uncommitted rows, then hits the
unique key and skips them; a failed sending raises, rolling the contact's claims
back so that the task's retry sends them (contacts mailed before the failure keep
theirs).
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from comptes.models import Profil
from indicateurs import services
from indicateurs.models import EtapeRelance, EtatPeriode, Indicateur, Periode, RelanceEnvoyee
from laureats.models import Partenariat

logger = logging.getLogger(__name__)

# A value submitted or validated answers the period: nothing to remind.
ETATS_REPONDUS = [EtatPeriode.SOUMISE, EtatPeriode.VALIDEE]


@dataclass(frozen=True)
class Ligne:
    """A period to remind a contact of, at a step, with what the e-mail shows of it."""

    periode: Periode
    etape: EtapeRelance

    @property
    def etat(self) -> str:
        return EtatPeriode(self.periode.etat).label

    @property
    def indicateur_url(self) -> str:
        return portail_url(reverse("indicateur_detail", args=[self.periode.indicateur.code]))


def portail_url(chemin: str) -> str:
    """An absolute address on the portal, for e-mails (settings.PORTAIL_URL)."""
    return settings.PORTAIL_URL.rstrip("/") + chemin


def periodes_a_relancer(*, jour: datetime.date) -> list[Ligne]:
    """Each period still owed on `jour` at the step it has reached (see the module's docstring); one query a step."""
    etapes = list(EtapeRelance.objects.filter(active=True).order_by("jours"))
    lignes = []
    for rang, etape in enumerate(etapes):
        atteinte = Q(date_limite__lte=jour - datetime.timedelta(days=etape.jours))
        if rang + 1 < len(etapes):  # the next step has not come yet
            atteinte &= Q(date_limite__gt=jour - datetime.timedelta(days=etapes[rang + 1].jours))
        if etape.jours < 0:
            atteinte &= Q(date_limite__gte=jour)
        periodes = (
            Periode.objects.with_etat(jour)
            .filter(atteinte)
            .exclude(etat__in=ETATS_REPONDUS)
            .select_related("indicateur__impact__projet__region")
        )
        lignes += [Ligne(periode=periode, etape=etape) for periode in periodes]
    return lignes


def contacts_par_projet(projets: set[int]) -> dict[int, list]:
    """The partner contacts of each project: active accounts whose organisation takes part in it (two queries)."""
    contacts = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            profil__role=Profil.Role.PARTENAIRE,
            profil__organisation__partenariats__projet_id__in=projets,
        )
        .select_related("profil")
        .distinct()
        .order_by("pk")
    )
    par_organisation = defaultdict(list)
    for contact in contacts:
        par_organisation[contact.profil.organisation_id].append(contact)
    par_projet: dict[int, dict] = defaultdict(dict)  # by account: an organisation may hold two roles in a project
    for organisation, projet in Partenariat.objects.filter(
        projet_id__in=projets, organisation_id__in=par_organisation
    ).values_list("organisation_id", "projet_id"):
        par_projet[projet].update((contact.pk, contact) for contact in par_organisation[organisation])
    return {projet: list(siens.values()) for projet, siens in par_projet.items()}


def _reclamer(*, contact, lignes: list[Ligne]) -> list[Ligne]:
    """Insert the contact's log rows; the lines this call claimed (another run's rows are skipped).

    In the caller's transaction, one savepoint a row: an insert waits on a row another
    transaction holds uncommitted, then fails on the unique key once it commits.
    Always in the same order (period, step), so two runs never wait on each other crosswise.
    """
    reclamees = []
    for ligne in sorted(lignes, key=lambda ligne: (ligne.periode.pk, ligne.etape.pk)):
        try:
            with transaction.atomic():
                RelanceEnvoyee.objects.create(periode=ligne.periode, etape=ligne.etape, destinataire=contact)
        except IntegrityError:
            continue  # sent already, by an earlier or a concurrent run
        reclamees.append(ligne)
    return reclamees


def _message(*, contact, lignes: list[Ligne], jour: datetime.date) -> EmailMultiAlternatives:
    lignes = sorted(
        lignes,
        key=lambda ligne: (
            -ligne.etape.jours,  # overdue first
            ligne.periode.date_limite,
            ligne.periode.indicateur.impact.projet.titre,
            ligne.periode.indicateur.libelle,
        ),
    )
    contexte = {
        "contact": contact,
        "jour": jour,
        "lignes": lignes,
        "nb_en_retard": sum(ligne.periode.etat == EtatPeriode.EN_RETARD for ligne in lignes),
        "espace_url": portail_url(reverse("espace")),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("indicateurs/email/relance_sujet.txt", contexte).strip(),
        body=render_to_string("indicateurs/email/relance.txt", contexte),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[contact.email],
    )
    message.attach_alternative(render_to_string("indicateurs/email/relance.html", contexte), "text/html")
    return message


def relances_send(*, jour: datetime.date) -> int:
    """Mail each partner contact one digest of the periods they owe on `jour` at a step not yet sent them.

    Brings every indicator's periods up to date first (the calendar is written ahead of
    the reminders). Returns the number of e-mails sent; contacts without an address are
    skipped and logged.
    """
    try:
        services.periodes_sync(indicateurs=Indicateur.objects.all())
    except IntegrityError:
        # A concurrent run created the same periods first: the calendar is up to date all the same.
        logger.info("Périodes créées par une autre exécution simultanée des relances.")
    lignes = periodes_a_relancer(jour=jour)
    if not lignes:
        return 0
    contacts = contacts_par_projet({ligne.periode.indicateur.impact.projet_id for ligne in lignes})
    deja = set(
        RelanceEnvoyee.objects.filter(periode_id__in={ligne.periode.pk for ligne in lignes}).values_list(
            "periode_id", "etape_id", "destinataire_id"
        )
    )
    par_contact: dict[int, list[Ligne]] = defaultdict(list)
    destinataires = {}
    for ligne in lignes:
        for contact in contacts.get(ligne.periode.indicateur.impact.projet_id, []):
            if (ligne.periode.pk, ligne.etape.pk, contact.pk) not in deja:
                par_contact[contact.pk].append(ligne)
                destinataires[contact.pk] = contact
    envoyes = 0
    for pk, siennes in sorted(par_contact.items()):
        contact = destinataires[pk]
        if not contact.email:
            logger.warning(
                "Relance du %s non envoyée à %s : aucune adresse électronique (%s période(s)).",
                jour,
                contact,
                len(siennes),
            )
            continue
        with transaction.atomic():
            reclamees = _reclamer(contact=contact, lignes=siennes)
            if not reclamees:
                continue
            # A failure raises: this contact's claims roll back and the task's retry sends them.
            _message(contact=contact, lignes=reclamees, jour=jour).send(fail_silently=False)
        envoyes += 1
    logger.info("Relances du %s : %s courriel(s) envoyé(s) aux partenaires.", jour, envoyes)
    return envoyes
