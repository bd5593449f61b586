"""Outgoing web hooks (Standard Webhooks): endpoints per tenant with event filters, an
outbox of deliveries written in the shipment's own transaction, signed delivery by the
worker with retries and backoff, a delivery log, automatic disabling, and refusal of
private addresses. `shipments.actions` calls `webhooks.events.shipment_created` and
`status_changed`; nothing else needs to.
"""
