"""Load the programme from fixtures/: the referentials, the 24 laureates and their indicators.

The files are validated whole before anything is written; the writes happen in
one transaction, app by app from the ground up (territoires, financements'
envelopes, laureats, their allocations, indicateurs), and only touch rows whose
values differ, so a second run changes nothing (and adds no history row).
"""

from pathlib import Path

from django.db import transaction

from config.chargement import FIXTURES_DIR, Rapport, Writer, read_json, refuse_write_errors
from financements import chargement as financements_chargement
from indicateurs.chargement import indicateurs_load
from laureats import chargement as laureats_chargement
from territoires import chargement as territoires_chargement


def programme_load(
    *,
    referentiels_path: Path = FIXTURES_DIR / "referentiels.json",
    laureats_path: Path = FIXTURES_DIR / "laureats.json",
    indicateurs_path: Path = FIXTURES_DIR / "indicateurs.json",
) -> Rapport:
    """Validate the fixture files whole, then write them in one transaction."""
    ref = read_json(referentiels_path)
    laur = read_json(laureats_path)

    referentiels = territoires_chargement.referentiels_validate(ref)
    organisations = laureats_chargement.organisations_validate(ref)
    # Each fiche with its allocations, validated in the fiche's order: an error names the first bad fiche.
    fiches = [
        (
            laureats_chargement.projet_validate(rec, referentiels=referentiels),
            financements_chargement.allocations_validate(rec),
        )
        for rec in laureats_chargement.projet_records(laur)
    ]
    slugs = laureats_chargement.projets_validate(laur, [p for p, _ in fiches], organisations=organisations)

    writer = Writer()
    with transaction.atomic():
        refuse_write_errors(ref.where, territoires_chargement.referentiels_write, writer, ref)
        refuse_write_errors(ref.where, financements_chargement.enveloppes_write, writer, ref)
        refuse_write_errors(ref.where, laureats_chargement.organisations_write, writer, organisations)
        for p, montants in fiches:
            refuse_write_errors(p.rec.where, _projet_write, writer, p, montants)
        # Validated against the impacts just written: inside the transaction, after them.
        indicateurs_load(writer=writer, projets=slugs, path=indicateurs_path)
    return writer.rapport


def _projet_write(writer: Writer, p: laureats_chargement.ProjetData, montants: dict) -> None:
    projet = laureats_chargement.projet_write(writer, p)
    financements_chargement.allocations_write(writer, projet, montants)
