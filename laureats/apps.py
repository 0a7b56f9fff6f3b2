from django.apps import AppConfig


class LaureatsConfig(AppConfig):
    name = "laureats"
    verbose_name = "Lauréats"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from laureats.comptes import note_api_token_in_history

        pre_create_historical_record.connect(note_api_token_in_history, dispatch_uid="note_api_token")
