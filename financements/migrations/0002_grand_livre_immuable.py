"""Ledger rows are never edited or deleted, whatever path a write takes.

A release of funds or a correction is a new, reasoned entry. The trigger makes
PostgreSQL refuse UPDATE and DELETE on the ledger tables; TRUNCATE (used only
by test teardown) does not fire row triggers.
"""

from django.db import migrations

TABLES = ["financements_engagement", "financements_versement"]

FUNCTION = """
CREATE OR REPLACE FUNCTION financements_grand_livre_immuable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le grand livre est immuable : % refusé sur %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immuable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION financements_grand_livre_immuable();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immuable ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS financements_grand_livre_immuable();")


class Migration(migrations.Migration):
    dependencies = [("financements", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
