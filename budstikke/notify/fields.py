"""A phone field other forms reuse (customer, shipment, CSV rows): it cleans to E.164 and
shows the SMS policy's refusal right where the number was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budstikke.notify import policy

if TYPE_CHECKING:
    from budstikke.tenants.models import Tenant


class SmsPhoneValidator:
    """Validates that a number can be texted by `tenant`; use on a CharField or a CSV row."""

    def __init__(self, tenant: Tenant | None = None) -> None:
        self.policy = policy.Policy.for_tenant(tenant)

    def __call__(self, value: str) -> str:
        decision = self.policy.check(value)
        if decision.invalid:
            raise ValidationError(
                _("Not a valid phone number: %(reason)s."),
                code=decision.code,
                params={"reason": decision.reason},
            )
        if not decision.allowed:
            raise ValidationError(
                _(
                    "SMS cannot be sent to this number: %(reason)s. Your administrator can ask "
                    "for the country under SMS settings."
                ),
                code=decision.code,
                params={"reason": decision.reason},
            )
        return decision.e164


class SmsPhoneField(forms.CharField):
    """`SmsPhoneField(tenant=request.tenant)`: cleans to E.164 (national numbers are read in
    the tenant's country) or shows why SMS cannot reach the number."""

    def __init__(self, *, tenant: Tenant | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("label", _("Mobile number"))
        super().__init__(**kwargs)
        self.tenant = tenant

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        if text in self.empty_values:
            return text
        return SmsPhoneValidator(self.tenant)(text)
