"""Forms of the shipment pages. Field rules live in intake.py; the form shows its errors
next to each field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budstikke.customers.models import Customer, Service
from budstikke.shipments import intake
from budstikke.shipments.actions import ShipmentDraft
from budstikke.shipments.models import PriceRule, PriceSurcharge, PriceZone
from budstikke.shipments.pricing import PostcodeRangeError, parse_postcodes
from budstikke.tenants.models import Tenant

OTHER = "other"


class CustomerChoiceForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Shipper"), coerce=int)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = (
            Customer.objects.for_tenant(tenant)
            .filter(archived_at__isnull=True, barred=False)
            .order_by("customer_number", "pk")
        )
        field = self.fields["customer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.pk, f"{c.customer_number or '-'} · {c.name}") for c in customers]


class ShipmentForm(forms.Form):
    pickup = forms.ChoiceField(label=_("Pickup address"), widget=forms.RadioSelect)
    pickup_name = forms.CharField(label=_("Pickup name"), required=False)
    pickup_address = forms.CharField(label=_("Pickup street address"), required=False)
    pickup_postcode = forms.CharField(label=_("Pickup postcode"), required=False)
    pickup_city = forms.CharField(label=_("Pickup city"), required=False)
    service = forms.ChoiceField(label=_("Service level"), choices=Service.choices)
    recipient_name = forms.CharField(label=_("Recipient name"), required=False)
    recipient_phone = forms.CharField(
        label=_("Recipient phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    recipient_email = forms.CharField(label=_("Recipient email"), required=False)
    recipient_language = forms.ChoiceField(
        label=_("Recipient language"), choices=[("da", _("Danish")), ("en", _("English"))]
    )
    delivery_address = forms.CharField(
        label=_("Delivery address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    delivery_postcode = forms.CharField(label=_("Delivery postcode"), required=False)
    delivery_city = forms.CharField(label=_("Delivery city"), required=False)
    delivery_country = forms.CharField(label=_("Delivery country"), initial="DK", required=False)
    parcel_count = forms.CharField(label=_("Number of parcels"), initial="1", required=False)
    weight_kg = forms.CharField(label=_("Weight per parcel (kg)"), required=False)
    length_cm = forms.CharField(label=_("Length (cm)"), required=False)
    width_cm = forms.CharField(label=_("Width (cm)"), required=False)
    height_cm = forms.CharField(label=_("Height (cm)"), required=False)
    window_start = forms.CharField(
        label=_("Deliver from"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
    window_end = forms.CharField(
        label=_("Deliver by"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
    cod_amount = forms.CharField(label=_("Cash on delivery amount"), required=False)
    cod_currency = forms.ChoiceField(
        label=_("Cash on delivery currency"),
        choices=[("", "—"), *((c, c) for c in intake.CURRENCIES)],
        required=False,
    )
    reference = forms.CharField(label=_("Reference"), required=False)
    order_reference = forms.CharField(label=_("Order reference"), required=False)
    notes = forms.CharField(
        label=_("Delivery notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, tenant: Tenant, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.customer = customer
        self.draft: ShipmentDraft | None = None
        places = intake.pickup_places(customer)
        choices = [
            (str(i), f"{p['name']}, {p['address']}, {p['postcode']} {p['city']}")
            for i, p in enumerate(places, start=1)
        ]
        pickup = self.fields["pickup"]
        assert isinstance(pickup, forms.ChoiceField)
        pickup.choices = [*choices, (OTHER, _("Another address (enter below)"))]
        self.fields["pickup"].initial = "1" if choices else OTHER
        self.fields["service"].initial = customer.default_service
        self.fields["recipient_language"].initial = tenant.language

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {k: v for k, v in data.items() if k != "pickup"}
        if data.get("pickup") and data["pickup"] != OTHER:
            values["pickup_index"] = data["pickup"]
            for part in ("name", "address", "postcode", "city"):
                values[f"pickup_{part}"] = ""
        try:
            self.draft = intake.parse(self.tenant, values, customer=self.customer)
        except intake.IntakeError as error:
            for name, messages in error.errors.items():
                target = name if name in self.fields else None
                if name == "pickup_index":
                    target = "pickup"
                for message in messages:
                    self.add_error(target, message)
        return data


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class PriceZoneForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PriceZone
        fields = ["name", "postcodes", "position"]
        widgets = {"postcodes": forms.TextInput()}

    def clean_postcodes(self) -> str:
        value = str(self.cleaned_data["postcodes"])
        try:
            if not parse_postcodes(value):
                raise forms.ValidationError(_("Enter at least one postcode or range."))
        except PostcodeRangeError as error:
            raise forms.ValidationError(str(error)) from None
        return value


class PriceRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = self.fields["zone"]
        assert isinstance(zone_field, forms.ModelChoiceField)
        zone_field.queryset = PriceZone.objects.for_tenant(tenant)

    class Meta:
        model = PriceRule
        fields = ["zone", "service", "max_weight_kg", "price", "currency"]


class PriceSurchargeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PriceSurcharge
        fields = ["kind", "label", "service", "amount", "percent"]
