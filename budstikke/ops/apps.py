from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "budstikke.ops"
    label = "ops"
