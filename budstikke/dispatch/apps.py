from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "budstikke.dispatch"
    label = "dispatch"
