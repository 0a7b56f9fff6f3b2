"""Load the programme's envelopes (fixtures/referentiels.json) and each laureate's two allocations
(its fiche's planned subsidy and potential investment, in fixtures/laureats.json).
"""

from decimal import Decimal

from config.chargement import Record, Writer
from financements.models import Allocation, Enveloppe
from laureats.models import Projet


def allocations_validate(rec: Record) -> dict[str, Decimal]:
    """The amounts of a fiche's two allocations, by envelope code."""
    return {
        Enveloppe.Code.SUBVENTION: rec.montant("subvention_prevue"),
        Enveloppe.Code.INVESTISSEMENT: rec.montant("investissement_potentiel"),
    }


def enveloppes_write(writer: Writer, ref: Record) -> None:
    for rec in ref.records("enveloppes"):
        writer.upsert(
            Enveloppe,
            {"code": rec.text("code")},
            {
                "libelle": rec.text("libelle"),
                "plafond": rec.montant("plafond"),
                "plafonne_par_projet": rec.boolean("plafonne_par_projet"),
            },
        )


def allocations_write(writer: Writer, projet: Projet, allocations: dict[str, Decimal]) -> None:
    for code, montant in allocations.items():
        enveloppe = Enveloppe.objects.get(code=code)
        writer.upsert(
            Allocation,
            {"projet": projet, "enveloppe": enveloppe},
            {"montant": montant, "plafonnee": enveloppe.plafonne_par_projet},
        )
