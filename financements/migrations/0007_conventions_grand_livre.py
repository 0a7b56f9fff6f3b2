"""Every subsidy commitment under a convention, every payment of one on a tranche of it.

- Commitments of the subsidy envelope recorded before conventions existed each
  become a convention "reprise" (beneficiary: the project's lead, the only one the
  entry names; date and reference: the commitment's), with one tranche of the
  net amount that their disbursements pay. The fields the SCDL needs stay empty:
  these conventions are listed "à compléter" until an officer fills them in. The
  immutability trigger of migration 0002 is lifted for this one rewrite.
- On PostgreSQL, a BEFORE INSERT trigger refuses a subsidy commitment or release
  without a convention, an entry whose convention belongs to another project or
  envelope, a release on another convention than its commitment's, and a
  disbursement of a convention's commitment that names no tranche of that
  convention. On SQLite the services alone hold these rules.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import Sum

FUNCTION = """
CREATE OR REPLACE FUNCTION financements_ecriture_convention() RETURNS trigger AS $$
DECLARE
    code_enveloppe text;
    convention_projet bigint;
    convention_enveloppe bigint;
    convention_engagement bigint;
BEGIN
    IF TG_TABLE_NAME = 'financements_engagement' THEN
        IF NEW.convention_id IS NULL THEN
            SELECT code INTO code_enveloppe FROM financements_enveloppe WHERE id = NEW.enveloppe_id;
            IF code_enveloppe = 'subvention' THEN
                RAISE EXCEPTION 'Écriture % de subvention sans convention', NEW.reference
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END IF;
        SELECT projet_id, enveloppe_id INTO convention_projet, convention_enveloppe
            FROM financements_convention WHERE id = NEW.convention_id;
        IF convention_projet <> NEW.projet_id OR convention_enveloppe <> NEW.enveloppe_id THEN
            RAISE EXCEPTION 'Écriture % hors du projet ou de l''enveloppe de sa convention', NEW.reference
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.engagement_origine_id IS NOT NULL AND NEW.convention_id IS DISTINCT FROM
            (SELECT convention_id FROM financements_engagement WHERE id = NEW.engagement_origine_id) THEN
            RAISE EXCEPTION 'Désengagement % sur une autre convention que son engagement', NEW.reference
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    SELECT convention_id INTO convention_engagement FROM financements_engagement WHERE id = NEW.engagement_id;
    IF convention_engagement IS NULL THEN
        IF NEW.tranche_id IS NOT NULL THEN
            RAISE EXCEPTION 'Versement % sur une tranche sans convention', NEW.reference
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.tranche_id IS NULL OR convention_engagement IS DISTINCT FROM
        (SELECT convention_id FROM financements_tranche WHERE id = NEW.tranche_id) THEN
        RAISE EXCEPTION 'Versement % sans tranche de sa convention', NEW.reference
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ["financements_engagement", "financements_versement"]


def reprendre_engagements(apps, schema_editor):
    Engagement = apps.get_model("financements", "Engagement")
    Versement = apps.get_model("financements", "Versement")
    Convention = apps.get_model("financements", "Convention")
    Tranche = apps.get_model("financements", "Tranche")
    anciens = Engagement.objects.filter(
        enveloppe__code="subvention", nature="engagement", convention__isnull=True
    ).select_related("projet")
    if not anciens.exists():
        return
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_immuable;")
    for engagement in anciens.order_by("date", "id"):
        libere = engagement.desengagements.aggregate(total=Sum("montant"))["total"] or Decimal("0.00")
        net = engagement.montant - libere
        convention = Convention.objects.create(
            projet=engagement.projet,
            enveloppe_id=engagement.enveloppe_id,
            allocation_id=engagement.allocation_id,
            beneficiaire_id=engagement.projet.chef_de_file_id,
            objet=f"Reprise de l'engagement {engagement.reference}"[:256],
            date_signature=engagement.date,
            reference=engagement.reference,
            montant=net,
        )
        Engagement.objects.filter(pk=engagement.pk).update(convention=convention)
        engagement.desengagements.update(convention=convention)
        if net > 0:
            tranche = Tranche.objects.create(
                convention=convention,
                numero=1,
                date_prevue=engagement.date,
                montant=net,
                condition="Reprise des versements antérieurs à la convention",
            )
            Versement.objects.filter(engagement=engagement).update(tranche=tranche)
    if postgresql:
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_immuable;")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_convention BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION financements_ecriture_convention();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_convention ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS financements_ecriture_convention();")


class Migration(migrations.Migration):
    dependencies = [("financements", "0006_conventions")]

    operations = [
        migrations.RunPython(reprendre_engagements, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
