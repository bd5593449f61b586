from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.shipments import views

app_name = "shipments"

urlpatterns: list[URLPattern] = [
    path("", views.shipment_list, name="list"),
    path("new/", views.shipment_new, name="new"),
    path("<int:shipment>/", views.shipment_detail, name="detail"),
    path("<int:shipment>/events/", views.shipment_events, name="events"),
    path("<int:shipment>/label/", views.shipment_label, name="label"),
    path("<int:shipment>/cancel/", views.shipment_cancel, name="cancel"),
    path("import/", views.import_upload, name="import"),
    path("import/template.csv", views.import_template, name="import-template"),
    path("import/<int:csv_import>/", views.import_preview, name="import-preview"),
    path("prices/", views.prices, name="prices"),
    path("prices/zones/<int:zone>/delete/", views.price_zone_delete, name="zone-delete"),
    path("prices/rules/<int:rule>/delete/", views.price_rule_delete, name="rule-delete"),
    path(
        "prices/surcharges/<int:surcharge>/delete/",
        views.price_surcharge_delete,
        name="surcharge-delete",
    ),
]
