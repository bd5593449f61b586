from django.apps import AppConfig
from django.core import checks


class VaultConfig(AppConfig):
    name = "budstikke.vault"
    label = "vault"

    def ready(self) -> None:
        from budstikke.vault import keys, registry

        keys.reset()
        registry.encrypted_models.cache_clear()
        registry.encrypted_models()
        checks.register(registry.check_encrypted_models)
