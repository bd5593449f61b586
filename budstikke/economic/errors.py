"""What can go wrong when talking to e-conomic, as exceptions the sync engine can act on.

API errors carry e-conomic's own fields (message, developerHint, logId, per-field errors) for
logs and support; `user_message` is what a tenant admin can read and act on, in their language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _


class EconomicError(Exception):
    """Base class of every failure of the e-conomic integration."""

    user_message: Any = _("The connection to e-conomic failed. Try again later.")


class NotConfiguredError(EconomicError):
    """The installation has no e-conomic app secret token, or the tenant no grant token."""

    user_message = _("e-conomic is not connected. Connect e-conomic in the settings first.")


class BudgetExhaustedError(EconomicError):
    """The agreement's fair-use budget of calls for the last 24 hours is spent."""

    user_message = _(
        "Budstikke has used today's allowance of calls to e-conomic. Syncing continues "
        "automatically later."
    )


class UnsafeLinkError(EconomicError):
    """A redirect or a link to another host: following it would send the tokens elsewhere."""

    user_message = _("e-conomic answered with a link to another address, which was not followed.")


class NetworkError(EconomicError):
    """The network failed on every attempt (connection refused, reset, timed out)."""

    user_message = _("e-conomic could not be reached. Syncing will try again later.")


class InvalidResponseError(EconomicError):
    """e-conomic's answer was not what its API promises (not JSON, an HTML page, a body cut
    short, a collection of the wrong shape): nothing of it is used."""

    user_message = _(
        "e-conomic sent an answer Budstikke could not read, so nothing was changed. Syncing "
        "will try again later."
    )


class OutcomeUnknownError(EconomicError):
    """A write may or may not have happened and nothing can tell which; do not blindly resend."""

    user_message = _(
        "It is not known whether e-conomic saved the change. It will be checked at the next sync."
    )


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Per-field messages from e-conomic's nested `errors` object, keyed `lines[0].unitNetPrice`."""
    flat: dict[str, list[str]] = {}
    if not isinstance(errors, Mapping):
        return flat
    for name, value in errors.items():
        if name == "errors" and isinstance(value, list):
            messages = [str(item.get("message", "")) for item in value if isinstance(item, Mapping)]
            flat.setdefault(prefix or "_", []).extend(messages)
            continue
        if name == "arrayIndex":
            continue
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, list):
            for position, item in enumerate(value):
                index = item.get("arrayIndex", position) if isinstance(item, Mapping) else position
                for key, messages in _flatten(item, f"{path}[{index}]").items():
                    flat.setdefault(key, []).extend(messages)
        else:
            for key, messages in _flatten(value, path).items():
                flat.setdefault(key, []).extend(messages)
    return flat


class ApiError(EconomicError):
    """e-conomic answered with an error status and (usually) its error JSON."""

    status = 0

    def __init__(self, status: int, body: Mapping[str, Any] | None = None) -> None:
        body = body or {}
        self.status = status
        self.message = str(body.get("message") or f"HTTP {status}")
        self.developer_hint = str(body.get("developerHint") or "")
        self.log_id = str(body.get("logId") or "")
        self.errors: Mapping[str, Any] = body.get("errors") or {}
        super().__init__(f"e-conomic {status}: {self.message} (logId {self.log_id or '-'})")

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return _flatten(self.errors)


class InvalidDataError(ApiError):
    user_message = _("e-conomic rejected the data. Check the fields it names and try again.")


class UnauthorizedError(ApiError):
    user_message = _("e-conomic no longer accepts Budstikke's access. Connect e-conomic again.")


class ForbiddenError(ApiError):
    user_message = _("The e-conomic user who granted access may not do this.")


class NotFoundError(ApiError):
    user_message = _("The record no longer exists in e-conomic.")


class MethodNotAllowedError(ApiError):
    pass


class UnsupportedMediaTypeError(ApiError):
    pass


class RateLimitedError(ApiError):
    user_message = _("e-conomic asked Budstikke to slow down. Syncing will try again later.")

    def __init__(
        self, status: int, body: Mapping[str, Any] | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(status, body)
        self.retry_after = retry_after


class ServerError(ApiError):
    user_message = _("e-conomic had an internal error. Syncing will try again later.")


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidDataError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    415: UnsupportedMediaTypeError,
    429: RateLimitedError,
}


def error_for(status: int, body: Mapping[str, Any] | None) -> ApiError:
    """The typed exception for an error response."""
    if status >= 500:
        return ServerError(status, body)
    return _BY_STATUS.get(status, ApiError)(status, body)


def user_message_for(recorded: str) -> Any:
    """What the admin reads for a problem the sync recorded as `[context: ]ErrorName`."""
    name = recorded.rsplit(": ", 1)[-1].strip()
    found: list[type[EconomicError]] = [EconomicError]
    while found:
        kind = found.pop()
        if kind.__name__ == name:
            return kind.user_message
        found.extend(kind.__subclasses__())
    return EconomicError.user_message
