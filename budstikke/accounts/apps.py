from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "budstikke.accounts"
    label = "accounts"

    def ready(self) -> None:
        from budstikke.accounts import security

        security.connect()
