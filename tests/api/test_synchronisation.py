"""A sync (`?updated_since=`) that never misses a row, on PostgreSQL, with writes in other transactions.

A partner's client pages through `/api/v1/organisations/?updated_since=…` while
other connections insert and update organisations between its pages, then
resumes from the latest `modifie_le` it received, as the API's documentation
tells it. Every organisation that existed before the sync is received; those
not touched during it exactly once; those updated during it in their final
version; none twice in the same version. The same walk by page numbers misses
a row: the scenario bites.

The second test is the commit-order hazard: a row stamped at tA by a transaction
that commits after another row stamped at tB > tA. A cursor that went past tB
would never come back for it; the horizon keeps the sync before tA until it commits.
"""

import datetime
import threading

import pytest
from django.db import connections, transaction
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config import synchro
from laureats.models import Organisation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

URL = "/api/v1/organisations/"
DEPUIS = "2000-01-01T00:00:00+00:00"


def dans_une_autre_connexion(travail):
    """Run `travail` in a thread of its own: its own connection, its own (committed) transaction."""
    erreurs = []

    def fil():
        try:
            travail()
        except Exception as exc:  # noqa: BLE001 - reported below
            erreurs.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=fil)
    t.start()
    t.join(timeout=60)
    assert not erreurs, erreurs


def creer(n: int, prefixe: str) -> None:
    for i in range(n):
        Organisation.objects.create(slug=f"{prefixe}-{i}", nom=f"Organisation {prefixe} {i}")


def toucher(slug: str) -> None:
    organisation = Organisation.objects.get(slug=slug)
    organisation.nom = f"0 {organisation.nom}"  # first by name: behind a reader paging by name
    organisation.save()


def synchroniser(client: Client, depuis: str, entre_les_pages=lambda recus: None, par_numero=False) -> list[tuple]:
    """Every (slug, modifie_le) received, page after page, until `next` is null."""
    recus = []
    # By page numbers, in the list's own order (by name): what a sync was before keyset pages.
    params = {"page_size": 7} if par_numero else {"updated_since": depuis, "page_size": 7}
    page = client.get(URL, params).json()
    while True:
        recus += [(o["slug"], o["modifie_le"]) for o in page["results"]]
        entre_les_pages(recus)
        if page["next"] is None:
            return recus
        page = client.get(page["next"]).json()


@pytest.fixture
def organisations(programme_charge):
    creer(40, "avant")
    return {o.slug: o.modifie_le for o in Organisation.objects.all()}


def ecrire_entre_les_pages(avant: dict, modifiees: set, tours: list):
    """After each page: two inserts, an update of a row already received, one of a row not yet received."""

    def ecrire(recus):
        if len(tours) >= 5:
            return
        tours.append(None)
        vus = {slug for slug, _ in recus}
        deja = sorted(vus & set(avant))[len(tours)]
        pas_encore = sorted(set(avant) - vus - modifiees)[0]
        modifiees.update({deja, pas_encore})

        def travail():
            creer(2, f"pendant-{len(tours)}")
            toucher(deja)
            toucher(pas_encore)

        dans_une_autre_connexion(travail)

    return ecrire


def test_a_sync_receives_every_row_once_while_others_write(organisations):
    client = Client()
    modifiees, tours = set(), []
    recus = synchroniser(client, DEPUIS, ecrire_entre_les_pages(organisations, modifiees, tours))
    assert len(tours) == 5

    slugs = [slug for slug, _ in recus]
    finales = {o.slug: o.modifie_le for o in Organisation.objects.all()}
    # Every row that existed before the sync, and every row inserted during it.
    assert set(slugs) == set(finales)
    # Untouched rows exactly once; no version of any row twice.
    assert all(slugs.count(slug) == 1 for slug in set(organisations) - modifiees)
    assert len(recus) == len(set(recus))
    # An updated row is received in its final version.
    derniere = {}
    for slug, moment in recus:
        derniere[slug] = moment
    for slug in modifiees:
        assert parse_datetime(derniere[slug]) == finales[slug], slug
    # Resuming from the latest modifie_le received brings nothing unseen.
    reprise = synchroniser(client, max(moment for _, moment in recus))
    assert {slug for slug, _ in reprise} <= set(slugs)


def test_the_same_walk_by_page_numbers_misses_a_row(organisations):
    """The control: by page numbers, an update moving a row behind the reader hides it, or the next one."""
    modifiees, tours = set(), []
    recus = synchroniser(Client(), DEPUIS, ecrire_entre_les_pages(organisations, modifiees, tours), par_numero=True)
    assert set(Organisation.objects.values_list("slug", flat=True)) - {slug for slug, _ in recus}


@override_settings(API_SYNCHRO_MARGE_MS=0)
@pytest.mark.parametrize("horizon", ["protege", "naif"])
def test_a_row_committed_after_a_later_stamp_is_not_skipped(organisations, horizon, monkeypatch):
    if horizon == "naif":  # the control: pages up to now, whatever is still being written
        monkeypatch.setattr(synchro, "horizon", timezone.now)
    client = Client()
    debut = timezone.now().isoformat()
    ecrit, valider = threading.Event(), threading.Event()
    erreurs = []

    def transaction_lente():
        try:
            with transaction.atomic():
                organisation = Organisation.objects.get(slug="avant-0")  # the transaction starts here
                organisation.nom = "Écrite tôt, validée tard"
                organisation.save()  # stamped tA
                ecrit.set()
                assert valider.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001 - reported below
            erreurs.append(exc)
        finally:
            connections.close_all()

    lente = threading.Thread(target=transaction_lente)
    lente.start()
    assert ecrit.wait(timeout=30)
    dans_une_autre_connexion(lambda: toucher("avant-1"))  # stamped tB > tA, committed first

    premiere = synchroniser(client, debut)
    valider.set()
    lente.join(timeout=60)
    assert not erreurs, erreurs

    # The client resumes from the latest change it received, or from where it began.
    reprise = max([parse_datetime(debut), *(parse_datetime(moment) for _, moment in premiere)]).isoformat()
    recus = {slug for slug, _ in premiere + synchroniser(client, reprise)}
    if horizon == "naif":
        assert "avant-0" not in recus  # the hazard is real: tB was passed before tA committed
    else:
        assert {"avant-0", "avant-1"} <= recus
        assert premiere == []  # nothing past the horizon before the slow transaction ended


def test_a_cursor_is_checked_and_a_sync_has_no_page_numbers(organisations):
    client = Client()
    assert client.get(URL, {"updated_since": DEPUIS, "curseur": "n'importe quoi"}).status_code == 400
    assert "curseur" in client.get(URL, {"updated_since": DEPUIS, "curseur": "W10"}).json()["errors"]
    assert "page" in client.get(URL, {"updated_since": DEPUIS, "page": "2"}).json()["errors"]
    for hors_limites in (synchro.encoder(timezone.now(), 2**63), synchro.encoder(timezone.now(), -1)):
        assert "curseur" in client.get(URL, {"updated_since": DEPUIS, "curseur": hors_limites}).json()["errors"]
    assert "curseur" in client.get(URL, {"curseur": synchro.encoder(timezone.now(), 1)}).json()["errors"]
    # A cursor is opaque but not secret: decoding one gives the key and the id it stands for.
    moment = timezone.now() - datetime.timedelta(days=1)
    assert synchro.decoder(synchro.encoder(moment, 42)) == (moment, 42)
