from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from comptes.authentification import note_api_token_in_history

        pre_create_historical_record.connect(note_api_token_in_history, dispatch_uid="note_api_token")
