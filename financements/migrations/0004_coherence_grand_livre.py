"""Ledger sanity in the database: dates within the programme, after what they follow; references unique.

The services refuse the same entries first, with a message naming the rule or
the entry already there; these are the last guard for any other path.

- A check constraint: no entry before the designation of the laureates
  (settings.PROGRAMME_DATE_DESIGNATION, written out: a migration cannot follow a setting).
- A unique constraint: a reference names one commitment or release per envelope.
- On PostgreSQL, a BEFORE INSERT trigger (rows are never updated, migration
  0002, so checking inserts is enough) refuses an entry dated after today in
  Paris, a disbursement or release dated before its commitment, a reversal
  dated before its disbursement, and a disbursement reference already used in
  the envelope. A check constraint cannot read another row; the envelope of a
  disbursement is that of its commitment, so the trigger serialises the
  disbursements of an envelope on an advisory lock before looking the
  reference up. On SQLite the services alone hold these rules (SQLite
  serialises writers, so their checks are not raced there).
"""

import datetime

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION financements_ecriture_coherente() RETURNS trigger AS $$
DECLARE
    -- The programme's dates are French dates, whatever the session's time zone; the clock
    -- at the insert (not the transaction's start) never lags the service's own check.
    aujourdhui date := (clock_timestamp() AT TIME ZONE 'Europe/Paris')::date;
    precedente date;
    enveloppe bigint;
BEGIN
    IF NEW.date > aujourdhui THEN
        RAISE EXCEPTION 'Écriture datée du % dans le futur (nous sommes le %) sur %', NEW.date, aujourdhui, TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_TABLE_NAME = 'financements_engagement' THEN
        IF NEW.engagement_origine_id IS NOT NULL THEN
            SELECT date INTO precedente FROM financements_engagement WHERE id = NEW.engagement_origine_id;
            IF NEW.date < precedente THEN
                RAISE EXCEPTION 'Désengagement daté du % avant son engagement du %', NEW.date, precedente
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    SELECT date, enveloppe_id INTO precedente, enveloppe FROM financements_engagement WHERE id = NEW.engagement_id;
    IF NEW.date < precedente THEN
        RAISE EXCEPTION 'Versement daté du % avant son engagement du %', NEW.date, precedente
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.versement_origine_id IS NOT NULL THEN
        SELECT date INTO precedente FROM financements_versement WHERE id = NEW.versement_origine_id;
        IF NEW.date < precedente THEN
            RAISE EXCEPTION 'Annulation datée du % avant son versement du %', NEW.date, precedente
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    -- Race: two disbursements with one reference on two projects of the envelope hold
    -- different allocation locks; this lock, kept until commit, makes the second one
    -- wait and then see the first.
    PERFORM pg_advisory_xact_lock(hashtext('financements_versement_reference'), enveloppe::integer);
    IF EXISTS (
        SELECT 1 FROM financements_versement v JOIN financements_engagement e ON e.id = v.engagement_id
        WHERE v.reference = NEW.reference AND e.enveloppe_id = enveloppe
    ) THEN
        RAISE EXCEPTION 'Référence de versement % déjà utilisée dans l''enveloppe %', NEW.reference, enveloppe
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ["financements_engagement", "financements_versement"]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_coherente BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION financements_ecriture_coherente();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_coherente ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS financements_ecriture_coherente();")


class Migration(migrations.Migration):
    dependencies = [("financements", "0003_modifie_le")]

    operations = [
        migrations.AddIndex(
            model_name="versement",
            index=models.Index(fields=["reference"], name="versement_reference"),
        ),
        migrations.AddConstraint(
            model_name="engagement",
            constraint=models.CheckConstraint(
                condition=models.Q(("date__gte", datetime.date(2019, 9, 13))),
                name="engagement_date_depuis_designation",
            ),
        ),
        migrations.AddConstraint(
            model_name="engagement",
            constraint=models.UniqueConstraint(fields=("enveloppe", "reference"), name="engagement_reference_unique"),
        ),
        migrations.AddConstraint(
            model_name="versement",
            constraint=models.CheckConstraint(
                condition=models.Q(("date__gte", datetime.date(2019, 9, 13))),
                name="versement_date_depuis_designation",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
