"""Billing (one e-conomic draft invoice per customer for its delivered, not yet invoiced
shipments, through an outbox, never twice) and the delivery reports with CSV export.

    from budstikke.billing import actions
    actions.run_billing(tenant, cutoff=None, by=user)   # queues the drafts; safe to repeat
"""
