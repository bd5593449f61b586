from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "budstikke.notify"
    label = "notify"
