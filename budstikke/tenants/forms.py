"""Forms for signup, invitations and members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from budstikke.tenants.access import switch_tenant
from budstikke.tenants.actions import create_tenant_for_signup
from budstikke.tenants.models import Role

if TYPE_CHECKING:
    from budstikke.accounts.models import User

# EU/EEA countries a tenant can be established in (ISO 3166-1 alpha-2).
COUNTRIES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IS", _("Iceland")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LI", _("Liechtenstein")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
]


class CompanySignupForm(forms.Form):
    """Extra signup fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS): signing up creates a
    courier company as a tenant, its first admin, and the DPA acceptance."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="DK")
    accept_dpa = forms.BooleanField(
        label=_(
            "On behalf of the company I accept the data-processing agreement: the company is "
            "the data controller, Budstikke processes data only on its instructions."
        ),
        required=True,
        error_messages={"required": _("The company must accept the data-processing agreement.")},
    )

    def clean_company_name(self) -> str:
        name: str = self.cleaned_data["company_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the company's name."))
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        tenant = create_tenant_for_signup(
            name=self.cleaned_data["company_name"],
            country=self.cleaned_data["country"],
            user=user,
            ip=request.META.get("REMOTE_ADDR") or None,
        )
        switch_tenant(request, tenant)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.DISPATCHER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InvitedSignupForm(forms.Form):
    """A new account for an invited person; the email address is the invitation's."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            from budstikke.accounts.models import User

            probe = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
