"""Measures in the database: one kept value per indicator and date, every value within its unit's domain.

- A partial unique index (indicator, date) among measures not rejected: a
  rejected value frees its date for the corrected one.
- On PostgreSQL, triggers hold the domain of indicateurs.models.domaine (repeated
  here in SQL): a share in % between 0 and 100, an evolution in % (mode
  « relatif ») not below −100, any other unit not negative. The unit is on the
  indicator, not on the measure, so a check constraint cannot see it: one
  trigger checks a measure when it is written, another refuses a change of an
  indicator's unit or mode that would leave a kept measure outside. On SQLite
  the services alone check the domain.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE OR REPLACE FUNCTION indicateurs_dans_le_domaine(valeur numeric, unite text, mode text) RETURNS boolean AS $$
    SELECT CASE
        WHEN mode = 'relatif' THEN valeur >= -100
        WHEN btrim(unite) = '%' THEN valeur BETWEEN 0 AND 100
        ELSE valeur >= 0
    END;
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION indicateurs_mesure_dans_le_domaine() RETURNS trigger AS $$
DECLARE
    indicateur record;
BEGIN
    -- A decision rewrites the whole row: only a changed value or indicator is checked again.
    IF TG_OP = 'UPDATE' AND NEW.valeur = OLD.valeur AND NEW.indicateur_id = OLD.indicateur_id THEN
        RETURN NEW;
    END IF;
    SELECT code, unite, mode INTO indicateur FROM indicateurs_indicateur WHERE id = NEW.indicateur_id;
    IF NOT indicateurs_dans_le_domaine(NEW.valeur, indicateur.unite, indicateur.mode) THEN
        RAISE EXCEPTION 'Valeur % hors du domaine de l''unité « % » (mode %) de l''indicateur %',
            NEW.valeur, indicateur.unite, indicateur.mode, indicateur.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION indicateurs_unite_garde_les_mesures() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM indicateurs_mesure m
        WHERE m.indicateur_id = NEW.id AND m.statut <> 'rejetee'
          AND NOT indicateurs_dans_le_domaine(m.valeur, NEW.unite, NEW.mode)
    ) THEN
        RAISE EXCEPTION 'L''unité « % » (mode %) de l''indicateur % laisserait des mesures hors de son domaine',
            NEW.unite, NEW.mode, NEW.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)
    schema_editor.execute(
        "CREATE TRIGGER indicateurs_mesure_domaine BEFORE INSERT OR UPDATE OF valeur, indicateur_id "
        "ON indicateurs_mesure FOR EACH ROW EXECUTE FUNCTION indicateurs_mesure_dans_le_domaine();"
    )
    schema_editor.execute(
        "CREATE TRIGGER indicateurs_indicateur_domaine BEFORE UPDATE OF unite, mode "
        "ON indicateurs_indicateur FOR EACH ROW "
        "WHEN (OLD.unite IS DISTINCT FROM NEW.unite OR OLD.mode IS DISTINCT FROM NEW.mode) "
        "EXECUTE FUNCTION indicateurs_unite_garde_les_mesures();"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS indicateurs_mesure_domaine ON indicateurs_mesure;")
    schema_editor.execute("DROP TRIGGER IF EXISTS indicateurs_indicateur_domaine ON indicateurs_indicateur;")
    schema_editor.execute("DROP FUNCTION IF EXISTS indicateurs_mesure_dans_le_domaine();")
    schema_editor.execute("DROP FUNCTION IF EXISTS indicateurs_unite_garde_les_mesures();")
    schema_editor.execute("DROP FUNCTION IF EXISTS indicateurs_dans_le_domaine(numeric, text, text);")


class Migration(migrations.Migration):
    dependencies = [("indicateurs", "0003_indicateur_modifie_le")]

    operations = [
        migrations.AddConstraint(
            model_name="mesure",
            constraint=models.UniqueConstraint(
                condition=models.Q(("statut", "rejetee"), _negated=True),
                fields=("indicateur", "date"),
                name="mesure_unique_par_date",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
