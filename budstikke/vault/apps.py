from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "budstikke.vault"
    label = "vault"
