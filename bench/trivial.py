"""Settings and URLs for bench/server.py: the real middleware stack in front of a trivial view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from budstikke.settings import *  # noqa: F403


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


ROOT_URLCONF = "bench.trivial"
urlpatterns = [path("", trivial)]
