"""Shipments: intake (web form, API, CSV), the status machine, prices, labels, public tracking.

Usage in short (for dispatch, the courier view, webhooks, billing and reports):

Models (`budstikke.shipments.models`; all `TenantOwned`, query with `.for_tenant(t)`)::

    Shipment        tracking_number (unique, e.g. "ALF1234567890128"), customer (FK
                    customers.Customer), service (customers.models.Service), status
                    (machine.Status), status_changed_at, source (web/api/csv/demo),
                    pickup_name/_address/_postcode/_city/_phone (encrypted), pickup_country,
                    recipient_name/_phone/_email (encrypted; find by
                    `Shipment.objects.for_tenant(t).find(recipient_phone=...)`),
                    recipient_language, delivery_address/_postcode/_city (encrypted),
                    delivery_country, zone (price zone name, plain: group the board by it),
                    reference, order_reference, notes (encrypted), window_start/window_end,
                    weight_kg, parcel_count, cod_amount/cod_currency, created_at, created_by,
                    delivered_at, invoiced_at (free for the billing run to set)
    Parcel          shipment (related_name "parcels"), sequence, barcode, weight_kg, l/w/h cm
    TrackingEvent   shipment (related_name "events"), at, from_status, status, actor (User or
                    None), actor_label ("api:bsk_ab12", "csv", "system"), reason
                    (FailureReason, for failed_attempt), note and position (encrypted;
                    position is {"lat": .., "lon": .., "accuracy": ..})
    PriceZone / PriceRule / PriceSurcharge   tenant price data (pricing.py applies them)
    IdempotencyKey  API Idempotency-Key per tenant + API key

Status changes go only through one function, which checks `machine.TRANSITIONS`, locks the
row, appends exactly one TrackingEvent (time from clock.now()) and queues the recipient's
SMS for out_for_delivery / delivered / failed_attempt in the same transaction::

    from budstikke.shipments import actions
    from budstikke.shipments.machine import InvalidTransitionError, Status

    event = actions.transition(shipment, Status.PICKED_UP, actor=request.user,
                               note=None, position={"lat": 55.6, "lon": 12.5})
    actions.transition(shipment, Status.FAILED_ATTEMPT, actor=user, reason="not_home")
    actions.cancel(shipment, actor=user)
    # InvalidTransitionError (a ValueError) carries a translated message for people: str(exc)

`actor` is a User, a short label string, `actions.Actor(user=..., label=...)` or None
("system"). Never create a TrackingEvent directly. Courier assignment (who drives it) is
the dispatch app's data; `transition(..., Status.ASSIGNED)` only records the status.

Prices are frozen at creation: `price` (Decimal, 2 places, net), `price_currency` and
`price_lines` ([{"label": str, "amount": "12.50"}, ...]); rules changed later never
reprice a shipment. Create shipments with `actions.create_shipment(tenant, draft,
source=..., actor=...)` where `draft` is an `actions.ShipmentDraft` (intake.py validates
user input into one).
"""
