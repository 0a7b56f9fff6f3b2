from django.apps import AppConfig
from django.db.backends.signals import connection_created


class TerritoiresConfig(AppConfig):
    name = "territoires"
    verbose_name = "Territoires"

    def ready(self) -> None:
        from config.recherche import unaccent_sur_sqlite

        connection_created.connect(unaccent_sur_sqlite, dispatch_uid="unaccent_sur_sqlite")
