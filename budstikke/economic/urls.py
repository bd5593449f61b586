from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.economic import views

app_name = "economic"

urlpatterns: list[URLPattern] = [
    path("", views.economic_settings, name="settings"),
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
    path("check/", views.check, name="check"),
    path("sync/", views.sync_now, name="sync"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("policy/", views.policy, name="policy"),
    path("conflicts/<int:conflict>/", views.conflict_action, name="conflict"),
    path("hooks/<uuid:hook_id>/<str:secret>/", views.hook, name="hook"),
]
