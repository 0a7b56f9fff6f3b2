from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from simple_history.signals import pre_create_historical_record

        from comptes import checks  # noqa: F401 - registers the deployment checks
        from comptes.authentification import note_api_token_in_history
        from comptes.roles import note_admin_access

        pre_create_historical_record.connect(note_api_token_in_history, dispatch_uid="note_api_token")
        user_logged_in.connect(note_admin_access, dispatch_uid="note_admin_access")
