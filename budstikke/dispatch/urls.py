from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.dispatch import views

app_name = "dispatch"

urlpatterns: list[URLPattern] = [
    path("", views.board, name="board"),
    path("assign/", views.assign, name="assign"),
    path("assign/suggested/", views.assign_suggested, name="assign-suggested"),
    path("unassign/", views.unassign, name="unassign"),
    path("routes/<int:membership>/", views.route, name="route"),
    path("routes/<int:membership>/move/", views.route_move, name="route-move"),
    path("proof/<int:shipment>/", views.proof, name="proof"),
    path("proof/signature/<int:update>/", views.proof_signature, name="proof-signature"),
    path("proof/photo/<int:update>/", views.proof_photo, name="proof-photo"),
]
