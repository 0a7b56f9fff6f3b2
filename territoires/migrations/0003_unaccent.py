from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for searches that ignore accents (config/recherche.py); nothing on SQLite."""

    dependencies = [("territoires", "0002_modifie_le")]

    operations = [UnaccentExtension()]
