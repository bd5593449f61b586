from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "budstikke.webhooks"
    label = "webhooks"
