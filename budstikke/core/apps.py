from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "budstikke.core"
    label = "core"
