"""Test factories for dispatch, shared with webhooks, billing and browser tests."""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from PIL import Image, ImageDraw

from budstikke.dispatch import actions
from budstikke.dispatch.models import StopUpdate
from budstikke.shipments.models import Shipment
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.actions import ensure_membership
from budstikke.tenants.models import Membership, Role, Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.testing import Personas


def png(width: int = 300, height: int = 120) -> bytes:
    """A small PNG with a scribble, as a signature pad makes."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 90), (290, 30)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def signature_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png()).decode()


def courier_of(tenant: Tenant, user: User) -> Membership:
    membership: Membership = ensure_membership(tenant=tenant, user=user, role=Role.COURIER)
    return membership


def assigned_shipment(tenant: Tenant, courier: Membership, by: User, **fields: Any) -> Shipment:
    shipment = make_shipment(tenant, **fields)
    actions.assign([shipment], courier, by=by)
    shipment.refresh_from_db()
    return shipment


def delivered_shipment(
    tenant: Tenant, courier: Membership, by: User, **fields: Any
) -> tuple[Shipment, StopUpdate]:
    shipment = assigned_shipment(tenant, courier, by, **fields)
    for action in ("picked_up", "out_for_delivery"):
        actions.report_stop(shipment, courier, submission_id=uuid.uuid4(), action=action)
    update, _new = actions.report_stop(
        shipment,
        courier,
        submission_id=uuid.uuid4(),
        action="delivered",
        recipient_name="Mette Mogensen",
        signature=png(),
    )
    shipment.refresh_from_db()
    return shipment, update


def _a_stop_update(p: Personas) -> models.Model:
    courier = Membership.objects.get(tenant=p.tenant_a, user=p.carl)
    _shipment, update = delivered_shipment(p.tenant_a, courier, p.bob)
    return update


# One object of tenant A per dispatch model a URL can name (tenants/tests/test_outsiders.py).
OUTSIDER_SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    StopUpdate: _a_stop_update,
}
