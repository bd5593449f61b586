"""A dispatcher creates a shipment and assigns it; the courier, on a phone, picks it up and
delivers it with a signature drawn on the screen; the public tracking page says delivered
and shows the recipient only after the delivery postcode is entered."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from budstikke.accounts.testing import totp_code
from tests.browser.harness import Server, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "demo passphrase for browsers 9"
DISPATCHER = "dispatcher@demo.budstikke.test"
COURIER = "courier1@demo.budstikke.test"
RECIPIENT = "Rikke Modtager"
PHONE = {"width": 390, "height": 844}


def _log_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    secret = page.inner_text("#authenticator_secret").strip()
    page.fill("input[name=code]", totp_code(secret))
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")


def _draw_signature(page: Any) -> None:
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    left, top = box["x"], box["y"]
    page.mouse.move(left + 20, top + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            left + 20 + step * (box["width"] - 40) / 11,
            top + box["height"] * (0.3 if step % 2 else 0.7),
            steps=3,
        )
    page.mouse.up()


def test_dispatch_courier_delivery_with_signature_and_public_tracking(
    server: Server, new_page: Callable[[], Any], browser: Any
) -> None:
    server.manage("demo", "--password", PASSWORD)
    customer_id = server.manage(
        "shell",
        "-c",
        "from budstikke.tenants.models import Tenant; "
        "from budstikke.shipments.testing import make_customer; "
        "print(make_customer(Tenant.objects.get(slug='demo'), 'Browser Butik ApS').pk)",
    ).split()[-1]

    # The dispatcher creates the shipment ...
    office = new_page()
    _log_in(office, DISPATCHER)
    assert customer_id.isdigit(), customer_id
    office.goto(f"/tenant/shipments/new/?customer={customer_id}")
    office.fill("input[name=recipient_name]", RECIPIENT)
    office.fill("textarea[name=delivery_address]", "Vesterbrogade 10, 2. th.")
    office.fill("input[name=delivery_postcode]", "1620")
    office.fill("input[name=delivery_city]", "København V")
    office.fill("input[name=recipient_phone]", "+4520123456")
    office.click("main form button[type=submit]")
    office.wait_for_url(re.compile(r".*/tenant/shipments/\d+/$"))
    number = office.inner_text("h1 code").strip()

    # ... and assigns it to Karl on the board.
    office.goto("/tenant/dispatch/?unassigned=1")
    office.check(f"input[aria-label='{number}']")
    office.select_option("#courier", label="Karl Kurer")
    screenshot(office, "dispatch-board")
    office.click("text=Assign selected")
    office.wait_for_selector("text=1 shipment assigned.")
    office.goto("/tenant/dispatch/")
    assert "Karl Kurer #1" in office.inner_text(f"tr:has(input[aria-label='{number}'])")

    # The courier, on a phone, picks it up and delivers it with a drawn signature.
    phone_context = browser.new_context(
        ignore_https_errors=True,
        base_url=server.url,
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    phone_context.set_default_timeout(15_000)
    try:
        phone = phone_context.new_page()
        _log_in(phone, COURIER)
        phone.goto("/tenant/courier/")
        assert RECIPIENT in phone.content()
        assert 'href="tel:+4520123456"' in phone.content()
        screenshot(phone, "courier-stops")
        phone.click(f"text={number}")
        phone.click("button:has-text('Picked up')")
        phone.wait_for_selector("#stop-status:has-text('Picked up')")
        phone.click("button:has-text('On my way')")
        phone.wait_for_selector("#stop-status:has-text('Out for delivery')")
        phone.fill("#recipient_name", RECIPIENT)
        _draw_signature(phone)
        screenshot(phone, "courier-proof-of-delivery")
        phone.click("button:has-text('Confirm delivery')")
        phone.wait_for_url("**/tenant/courier/")
        assert "Delivered" in phone.content()
        screenshot(phone, "courier-after-delivery")
    finally:
        phone_context.close()

    # The office sees the proof with the drawn signature.
    office.goto("/tenant/dispatch/?status=delivered")
    office.click(f"tr:has(input[aria-label='{number}']) >> text=Proof")
    # "load" waits for the page's images, so the signature has arrived or failed by then.
    office.wait_for_url(re.compile(r".*/tenant/dispatch/proof/\d+/$"), wait_until="load")
    screenshot(office, "dispatch-proof")
    signature = office.locator("img.signature")
    assert signature.evaluate("img => img.complete && img.naturalWidth > 0")
    image = office.request.get(signature.get_attribute("src"))
    assert image.status == 200
    assert image.headers["content-type"] == "image/png"
    assert image.body().startswith(b"\x89PNG\r\n\x1a\n")
    assert RECIPIENT in office.content()

    # The public page: delivered; the recipient only after the postcode.
    public = new_page()
    public.goto(f"/t/{number}")
    assert "Delivered" in public.inner_text("#status")
    assert RECIPIENT not in public.content()
    screenshot(public, "tracking-delivered")
    public.fill("#postcode", "1620")
    public.click("text=Show details")
    public.wait_for_selector("#details")
    assert RECIPIENT in public.inner_text("#details")
