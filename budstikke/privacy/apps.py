from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "budstikke.privacy"
    label = "privacy"
