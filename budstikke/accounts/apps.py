from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "budstikke.accounts"
    label = "accounts"
