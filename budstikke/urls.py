from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from budstikke.core import pages
from budstikke.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
]
