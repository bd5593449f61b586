from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "budstikke.billing"
    label = "billing"
