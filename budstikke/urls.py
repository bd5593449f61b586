from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from budstikke.api.api import api as api_v1
from budstikke.core import pages
from budstikke.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("budstikke.accounts.urls")),
    path("", include("budstikke.tenants.urls")),
    path("tenant/api-keys/", include("budstikke.api.urls")),
    path("tenant/customers/", include("budstikke.customers.urls")),
    path("tenant/economic/", include("budstikke.economic.urls")),
    path("api/v1/", api_v1.urls),
    path("ops/shield/", include("budstikke.shield.urls")),
    path("ops/backups/", include("budstikke.backups.urls")),
    path("ops/privacy/", include("budstikke.privacy.ops_urls")),
    path("", include("budstikke.notify.urls")),
    path("ops/", include("budstikke.ops.urls")),
    path("tenant/shipments/", include("budstikke.shipments.urls")),
    path("t/", include("budstikke.shipments.public_urls")),
    path("tenant/dispatch/", include("budstikke.dispatch.urls")),
    path("tenant/courier/", include("budstikke.dispatch.courier_urls")),
    path("tenant/webhooks/", include("budstikke.webhooks.urls")),
    path("tenant/billing/", include("budstikke.billing.urls")),
    path("tenant/privacy/", include("budstikke.privacy.urls")),
    path("tenant/security/", include("budstikke.shield.member_urls")),
]

# A database outage answers 503 with Retry-After (core/unavailable.py), not a bare 500.
handler500 = "budstikke.core.unavailable.server_error"
