from django.apps import AppConfig


class EconomicConfig(AppConfig):
    name = "budstikke.economic"
    label = "economic"
