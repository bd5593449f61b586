"""Verification of delivery reports, in each gateway's own scheme.

- GatewayAPI signs a status webhook with a JWT (HS256, the webhook's secret) in the
  `X-Gwapi-Signature` header; the token's claims carry the status (`id`, `userref`,
  `status`, `error`, …), and only the claims are believed.
- Twilio signs with `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the auth token,
  over the full URL followed by every POST parameter name and value, sorted by name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from budstikke.notify import outbox


class BadSignatureError(Exception):
    """The report is not from the gateway (or not for us)."""


@dataclass(frozen=True)
class Report:
    reference: str
    outcome: str
    provider_id: str
    reason: str


GATEWAYAPI_OUTCOMES = {
    "DELIVERED": outbox.REPORT_DELIVERED,
    "UNDELIVERED": outbox.REPORT_FAILED,
    "UNDELIVERABLE": outbox.REPORT_FAILED,
    "REJECTED": outbox.REPORT_FAILED,
    "EXPIRED": outbox.REPORT_FAILED,
    "SKIPPED": outbox.REPORT_FAILED,
    "ENROUTE": outbox.REPORT_SENT,
    "BUFFERED": outbox.REPORT_SENT,
    "ACCEPTED": outbox.REPORT_SENT,
    "SCHEDULED": outbox.REPORT_SENT,
    "UNKNOWN": outbox.REPORT_SENT,
}

TWILIO_OUTCOMES = {
    "delivered": outbox.REPORT_DELIVERED,
    "undelivered": outbox.REPORT_FAILED,
    "failed": outbox.REPORT_FAILED,
    "accepted": outbox.REPORT_SENT,
    "queued": outbox.REPORT_SENT,
    "sending": outbox.REPORT_SENT,
    "sent": outbox.REPORT_SENT,
}


def gatewayapi_report(signature: str, secret: str) -> Report | None:
    """The report a GatewayAPI JWT carries; None for statuses we do not track."""
    if not signature or not secret:
        raise BadSignatureError("missing signature")
    try:
        claims: dict[str, Any] = jwt.decode(signature, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise BadSignatureError("the JWT does not verify") from None
    outcome = GATEWAYAPI_OUTCOMES.get(str(claims.get("status", "")).upper())
    reference = str(claims.get("userref") or "")
    if outcome is None or not reference:
        return None
    reason = " ".join(str(claims.get(k) or "") for k in ("code", "error")).strip()
    return Report(reference, outcome, str(claims.get("id") or ""), reason)


def twilio_signature(url: str, params: Sequence[tuple[str, str]], auth_token: str) -> str:
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_report(
    url: str,
    params: Sequence[tuple[str, str]],
    signature: str,
    auth_token: str,
    query: Mapping[str, str],
) -> Report | None:
    if not signature or not auth_token:
        raise BadSignatureError("missing signature")
    expected = twilio_signature(url, params, auth_token)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise BadSignatureError("the signature does not match")
    fields = dict(params)
    outcome = TWILIO_OUTCOMES.get(fields.get("MessageStatus", "").lower())
    reference = query.get("ref", "")
    if outcome is None or not reference:
        return None
    return Report(reference, outcome, fields.get("MessageSid", ""), fields.get("ErrorCode", ""))
