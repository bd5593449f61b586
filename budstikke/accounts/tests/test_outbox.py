"""Email leaves through the outbox: a sealed row in the causing transaction, delivered by
the worker with retries, backoff and one Message-ID, never from inside the request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from budstikke.accounts import outbox
from budstikke.accounts.models import OutgoingEmail, User
from budstikke.core.clock import ClockControl

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class FlakyBackend:
    """A delivery backend that fails the first `failures` sends."""

    failures = 0
    sent: list[Any] = []
    during_next_send: Callable[[], None] | None = None

    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        if FlakyBackend.during_next_send is not None:
            during, FlakyBackend.during_next_send = FlakyBackend.during_next_send, None
            during()
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("smtp down")
        FlakyBackend.sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings: Any, outbox_mail: None) -> type[FlakyBackend]:
    settings.MAILERS = settings.MAILERS | {"delivery": {"BACKEND": f"{__name__}.FlakyBackend"}}
    FlakyBackend.failures = 0
    FlakyBackend.sent = []
    FlakyBackend.during_next_send = None
    return FlakyBackend


def test_sending_writes_a_sealed_row_and_sends_nothing_yet(
    db: None, outbox_mail: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        send_mail(
            "Reset your password",
            "https://example.test/reset/secret-token-123",
            None,
            ["dana@example.test"],
        )
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.PENDING
    assert "secret-token-123" not in row.sealed_message
    assert "dana@example.test" not in row.sealed_message
    assert "Reset your password" not in row.sealed_message
    assert mail.outbox == []


def test_the_worker_delivers_after_commit(
    db: None, outbox_mail: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Hello", "Body", None, ["dana@example.test"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.test"]
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.SENT
    assert row.sent_at is not None
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<{row.idempotency_key.hex}")


def test_a_rolled_back_request_sends_nothing(
    db: None, outbox_mail: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send_mail("Hello", "Body", None, ["dana@example.test"])
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_html_alternatives_and_attachments_survive_the_outbox(db: None, outbox_mail: None) -> None:
    message = EmailMultiAlternatives("Subject", "text", None, ["a@example.test"], cc=["b@x.test"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.attach("label.pdf", b"%PDF-1.7 bytes", "application/pdf")
    message.send()
    outbox.deliver_due()
    [delivered] = mail.outbox
    assert delivered.cc == ["b@x.test"]
    assert delivered.alternatives[0].content == "<p>html</p>"  # type: ignore[attr-defined]
    assert delivered.attachments[0].content == b"%PDF-1.7 bytes"


def test_failures_are_retried_with_backoff_then_given_up(
    db: None, flaky: type[FlakyBackend], clock: type[ClockControl]
) -> None:
    clock.freeze(START)
    flaky.failures = 100
    send_mail("Hello", "Body", None, ["dana@example.test"])
    row = OutgoingEmail.objects.get()
    assert outbox.deliver(row.pk) == OutgoingEmail.Status.PENDING
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.last_error == "ConnectionRefusedError"
    assert row.next_attempt_at == START + timedelta(seconds=30)
    assert outbox.deliver(row.pk) is None  # not due yet: nothing is tried
    clock.advance(timedelta(seconds=30))
    outbox.deliver_due()
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == START + timedelta(seconds=90)
    for _ in range(outbox.MAX_ATTEMPTS):
        clock.advance(timedelta(hours=1))
        outbox.deliver_due()
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert flaky.sent == []


def test_a_retry_succeeds_with_the_same_message_id(
    db: None, flaky: type[FlakyBackend], clock: type[ClockControl]
) -> None:
    clock.freeze(START)
    flaky.failures = 1
    send_mail("Hello", "Body", None, ["dana@example.test"])
    assert outbox.deliver_due() == 0
    clock.advance(timedelta(minutes=1))
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0  # delivered once, never again
    [sent] = flaky.sent
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.SENT
    assert sent.extra_headers["Message-ID"].startswith(f"<{row.idempotency_key.hex}")


def test_a_message_claimed_by_a_dead_worker_is_swept_later(
    db: None, flaky: type[FlakyBackend], clock: type[ClockControl]
) -> None:
    clock.freeze(START)
    send_mail("Hello", "Body", None, ["dana@example.test"])
    row = OutgoingEmail.objects.get()
    assert outbox.SCHEDULE.claim(OutgoingEmail.objects.all(), row.pk)  # taken; the worker died
    assert outbox.deliver(row.pk) is None
    clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
    assert outbox.deliver_due() == 1
    assert len(flaky.sent) == 1


def test_a_worker_that_outlived_its_claim_does_not_overwrite_the_next_try(
    db: None, flaky: type[FlakyBackend], clock: type[ClockControl]
) -> None:
    clock.freeze(START)
    send_mail("Hello", "Body", None, ["dana@example.test"])
    row = OutgoingEmail.objects.get()

    def the_sweep_takes_over() -> None:
        clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
        assert outbox.deliver(row.pk) == OutgoingEmail.Status.SENT
        flaky.failures = 1  # then the first worker's slow send fails

    flaky.during_next_send = the_sweep_takes_over
    outbox.deliver(row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutgoingEmail.Status.SENT, 2, "")
    assert len(flaky.sent) == 1
    assert outbox.deliver_due() == 0


def test_a_password_reset_mail_goes_through_the_outbox(
    client: Client, db: None, outbox_mail: None, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.create_user("dana@example.test", "plain-but-long enough 42")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("account_reset_password"), {"email": "dana@example.test"})
    assert mail.outbox == []
    row = OutgoingEmail.objects.get()
    assert "/accounts/password/reset/key/" not in row.sealed_message
    outbox.deliver_due()
    [message] = mail.outbox
    assert message.to == ["dana@example.test"]
    assert "/accounts/password/reset/key/" in message.body
