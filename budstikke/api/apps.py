from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "budstikke.api"
    label = "api"
