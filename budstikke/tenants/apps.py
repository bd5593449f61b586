from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "budstikke.tenants"
    label = "tenants"
