"""Dispatch: the day's board, assigning shipments to couriers, route order, suggestions,
and the courier's phone pages with proof of delivery.

Usage in short::

    from budstikke.dispatch import actions, selectors
    actions.assign([shipment, ...], courier_membership, by=user)   # status → assigned
    actions.report_stop(shipment, courier_membership, submission_id=uuid, action="delivered",
                        recipient_name=..., signature=png_bytes, photo=proof.Photo(...),
                        position={"lat": .., "lon": .., "accuracy": ..})
    selectors.route(courier_membership)       # open stops in order
    selectors.suggest(tenant, [shipment, ...]) # {shipment.pk: Membership}

`Assignment` (one per shipment) says who drives it; `StopUpdate` is one courier submission,
unique per (shipment, submission id), carrying the encrypted proof of delivery.
"""
