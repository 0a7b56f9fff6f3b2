from django.apps import AppConfig


class LaureatsConfig(AppConfig):
    name = "laureats"
    verbose_name = "Lauréats"
