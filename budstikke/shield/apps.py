from django.apps import AppConfig


class ShieldConfig(AppConfig):
    name = "budstikke.shield"
    label = "shield"
