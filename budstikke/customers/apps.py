from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "budstikke.customers"
    label = "customers"
