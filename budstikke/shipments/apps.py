from django.apps import AppConfig


class ShipmentsConfig(AppConfig):
    name = "budstikke.shipments"
    label = "shipments"
