from django.apps import AppConfig


class SpecimensConfig(AppConfig):
    name = "tests.specimens"
    label = "specimens"
