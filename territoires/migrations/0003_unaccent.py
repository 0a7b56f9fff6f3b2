from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for searches that ignore accents (config/recherche.py).

    Nothing on SQLite, where territoires' AppConfig registers the same function per connection.
    """

    dependencies = [("territoires", "0002_modifie_le")]

    operations = [UnaccentExtension()]
