"""Validation and JSON shape of the simulated resources: customers, products, draft invoices.

Stored records keep references as plain numbers and `lastUpdated` as a datetime; rendering
turns them into e-conomic's shape (reference objects with `self` links, `false` booleans left
out, `lastUpdated` in UTC to the second with `Z`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from budstikke.economic.simulator.filters import BOOLEAN, DATETIME, INTEGER, NUMBER, STRING

CURRENCIES = frozenset({"DKK", "EUR", "SEK", "NOK", "USD", "GBP", "CHF", "PLN", "ISK"})
CUSTOMER_GROUPS = {1: "Domestic customers", 2: "EU customers", 3: "Other customers"}
PAYMENT_TERMS = {1: "Net 8 days", 2: "Net 14 days", 3: "Current month + 30 days", 4: "Cash"}
VAT_ZONES = {1: "Domestic", 2: "EU", 3: "Abroad", 4: "Domestic exempt"}
PRODUCT_GROUPS = {1: "Services", 2: "Goods"}
LAYOUTS = {5: "Standard", 19: "Courier"}

# (endpoint, number field) of each reference a customer, product or draft may carry.
REFERENCES = {
    "customerGroup": ("customer-groups", "customerGroupNumber", CUSTOMER_GROUPS),
    "paymentTerms": ("payment-terms", "paymentTermsNumber", PAYMENT_TERMS),
    "vatZone": ("vat-zones", "vatZoneNumber", VAT_ZONES),
    "productGroup": ("product-groups", "productGroupNumber", PRODUCT_GROUPS),
    "layout": ("layouts", "layoutNumber", LAYOUTS),
}

CUSTOMER_TEXT = {
    "name": 255,
    "address": 510,
    "city": 50,
    "country": 50,
    "zip": 30,
    "email": 255,
    "mobilePhone": 50,
    "telephoneAndFaxNumber": 255,
    "website": 255,
    "corporateIdentificationNumber": 40,
    "ean": 40,
    "pNumber": 10,
    "vatNumber": 50,
    "publicEntryNumber": 50,
}
CUSTOMER_REQUIRED = ("currency", "customerGroup", "name", "paymentTerms", "vatZone")
CUSTOMER_FILTERABLE = {
    "address": STRING,
    "balance": NUMBER,
    "barred": BOOLEAN,
    "city": STRING,
    "corporateIdentificationNumber": STRING,
    "country": STRING,
    "creditLimit": NUMBER,
    "currency": STRING,
    "customerNumber": INTEGER,
    "ean": STRING,
    "email": STRING,
    "lastUpdated": DATETIME,
    "name": STRING,
    "publicEntryNumber": STRING,
    "telephoneAndFaxNumber": STRING,
    "vatNumber": STRING,
    "website": STRING,
    "zip": STRING,
}
CUSTOMER_SORTABLE = {k: v for k, v in CUSTOMER_FILTERABLE.items() if k != "barred"}
PRODUCT_FILTERABLE = {
    "productNumber": STRING,
    "name": STRING,
    "salesPrice": NUMBER,
    "barred": BOOLEAN,
    "lastUpdated": DATETIME,
}
PRODUCT_SORTABLE = {k: v for k, v in PRODUCT_FILTERABLE.items() if k != "barred"}
_PRODUCT_ESCAPES = [("_", "_8_"), (" ", "_9_"), ("%", "_3_"), ("/", "_6_"), (".", "_11_")]

Errors = dict[str, Any]


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def escape_product_number(number: str) -> str:
    """Product numbers in `self` links escape special characters as e-conomic does."""
    out = []
    for char in number:
        out.append(next((code for raw, code in _PRODUCT_ESCAPES if raw == char), char))
    return "".join(out)


def unescape_product_number(segment: str) -> str:
    for raw, code in sorted(_PRODUCT_ESCAPES, key=lambda pair: -len(pair[1])):
        segment = segment.replace(code, raw)
    return segment


def _add(errors: Errors, field: str, code: str, message: str, value: Any = None) -> None:
    entry: dict[str, Any] = {"errorCode": code, "message": message}
    if value is not None:
        entry["value"] = value
    errors.setdefault(field, {"errors": []})["errors"].append(entry)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reference(errors: Errors, body: Mapping[str, Any], field: str) -> int | None:
    """A reference given as the number object or as its `self` link; None when absent/bad."""
    if field not in body:
        return None
    endpoint, key, known = REFERENCES[field]
    value = body[field]
    number: Any = None
    if isinstance(value, Mapping):
        number = value.get(key)
        if number is None and isinstance(value.get("self"), str):
            match = re.search(rf"/{endpoint}/(\d+)$", value["self"])
            number = int(match.group(1)) if match else None
    if not isinstance(number, int) or isinstance(number, bool) or number not in known:
        _add(errors, field, "E06010", f"{field} does not exist.", None)
        return None
    return number


def _nulls(errors: Errors, body: Mapping[str, Any], prefix: str = "") -> None:
    for key, value in body.items():
        if value is None:
            _add(errors, f"{prefix}{key}", "E00100", f"{key} cannot be null.")
        elif isinstance(value, Mapping):
            _nulls(errors, value, f"{prefix}{key}.")


def validate_customer(body: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:  # noqa: PLR0912
    """The stored form of a customer body, and e-conomic-shaped errors if it is invalid."""
    errors: Errors = {}
    _nulls(errors, body)
    stored: dict[str, Any] = {}
    for field in CUSTOMER_REQUIRED:
        if body.get(field) is None:
            _add(errors, field, "E00200", f"Property {field} is required.")
    currency = body.get("currency")
    if currency is not None:
        if not isinstance(currency, str) or currency not in CURRENCIES:
            _add(errors, "currency", "E06000", "currency does not exist.", currency)
        else:
            stored["currency"] = currency
    for field in ("customerGroup", "paymentTerms", "vatZone"):
        if body.get(field) is not None:
            number = _reference(errors, body, field)
            if number is not None:
                stored[field] = number
    for field, limit in CUSTOMER_TEXT.items():
        value = body.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            _add(errors, field, "E00300", f"{field} must be a string.")
        elif field == "pNumber" and len(value) != 10:
            _add(errors, field, "E00410", "pNumber must be exactly 10 characters.", value)
        elif len(value) > limit:
            _add(errors, field, "E00400", f"{field} can be at most {limit} characters.", value)
        elif field == "name" and not value.strip():
            _add(errors, field, "E00200", "Property name is required.")
        elif field == "email" and any("@" not in part for part in value.split()):
            _add(errors, field, "E00500", "email is not a valid e-mail address.", value)
        elif value != "":
            stored[field] = value
    number = body.get("customerNumber")
    if number is not None:
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999999999:
            _add(errors, "customerNumber", "E00600", "customerNumber must be 1 to 999999999.")
        else:
            stored["customerNumber"] = number
    credit = body.get("creditLimit")
    if credit is not None:
        if not _is_number(credit):
            _add(errors, "creditLimit", "E00300", "creditLimit must be a number.")
        else:
            stored["creditLimit"] = credit
    barred = body.get("barred")
    if barred is not None:
        if not isinstance(barred, bool):
            _add(errors, "barred", "E00300", "barred must be true or false.")
        elif barred:
            stored["barred"] = True
    return stored, errors


def _ref(base: str, field: str, number: int) -> dict[str, Any]:
    endpoint, key, _known = REFERENCES[field]
    return {key: number, "self": f"{base}/{endpoint}/{number}"}


def render_customer(base: str, record: Mapping[str, Any]) -> dict[str, Any]:
    number = record["customerNumber"]
    me = f"{base}/customers/{number}"
    out: dict[str, Any] = {"customerNumber": number, "currency": record["currency"]}
    out["paymentTerms"] = _ref(base, "paymentTerms", record["paymentTerms"])
    out["customerGroup"] = _ref(base, "customerGroup", record["customerGroup"])
    for field in CUSTOMER_TEXT:
        if field in record:
            out[field] = record[field]
    out["balance"] = record.get("balance", 0.0)
    out["dueAmount"] = record.get("dueAmount", 0.0)
    out["vatZone"] = _ref(base, "vatZone", record["vatZone"])
    if "creditLimit" in record:
        out["creditLimit"] = record["creditLimit"]
    if record.get("barred"):
        out["barred"] = True
    out["lastUpdated"] = timestamp(record["lastUpdated"])
    out["contacts"] = f"{me}/contacts"
    out["deliveryLocations"] = f"{me}/delivery-locations"
    out["templates"] = {
        "invoice": f"{me}/templates/invoice",
        "invoiceLine": f"{me}/templates/invoiceline",
        "self": f"{me}/templates",
    }
    out["totals"] = {
        "drafts": f"{me}/totals/drafts",
        "booked": f"{me}/totals/booked",
        "self": f"{me}/totals",
    }
    out["invoices"] = {
        "drafts": f"{me}/invoices/drafts",
        "booked": f"{me}/invoices/booked",
        "self": f"{me}/invoices",
    }
    out["metaData"] = {
        "delete": {"description": "Delete this customer.", "href": me, "httpMethod": "delete"},
        "replace": {"description": "Replace this customer.", "href": me, "httpMethod": "put"},
    }
    out["self"] = me
    return out


def validate_product(body: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:  # noqa: PLR0912
    errors: Errors = {}
    _nulls(errors, body)
    stored: dict[str, Any] = {}
    number = body.get("productNumber")
    if not isinstance(number, str) or not 1 <= len(number) <= 25:
        _add(errors, "productNumber", "E00200", "productNumber is required (text, at most 25).")
    else:
        stored["productNumber"] = number
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 300:
        _add(errors, "name", "E00200", "Property name is required.")
    else:
        stored["name"] = name
    if body.get("productGroup") is None:
        _add(errors, "productGroup", "E00200", "Property productGroup is required.")
    else:
        group = _reference(errors, body, "productGroup")
        if group is not None:
            stored["productGroup"] = group
    for field in ("salesPrice", "costPrice", "recommendedPrice"):
        value = body.get(field)
        if value is not None:
            if _is_number(value):
                stored[field] = value
            else:
                _add(errors, field, "E00300", f"{field} must be a number.")
    description = body.get("description")
    if isinstance(description, str) and description:
        stored["description"] = description[:500]
    if body.get("barred") is True:
        stored["barred"] = True
    return stored, errors


def render_product(base: str, record: Mapping[str, Any]) -> dict[str, Any]:
    me = f"{base}/products/{escape_product_number(record['productNumber'])}"
    out: dict[str, Any] = {"productNumber": record["productNumber"], "name": record["name"]}
    for field in ("description", "salesPrice", "costPrice", "recommendedPrice"):
        if field in record:
            out[field] = record[field]
    if record.get("barred"):
        out["barred"] = True
    out["lastUpdated"] = timestamp(record["lastUpdated"])
    out["productGroup"] = _ref(base, "productGroup", record["productGroup"])
    out["invoices"] = {"booked": f"{me}/invoices/booked", "drafts": f"{me}/invoices/drafts"}
    out["metaData"] = {
        "delete": {"description": "Delete this product.", "href": me, "httpMethod": "delete"},
        "replace": {"description": "Replace this product.", "href": me, "httpMethod": "put"},
    }
    out["self"] = me
    return out


def _decimals(value: Any) -> int:
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def validate_draft(  # noqa: PLR0912
    body: Mapping[str, Any], customers: Mapping[int, Any], products: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """A draft invoice: currency, customer, date, layout, paymentTerms, recipient, lines."""
    errors: Errors = {}
    _nulls(errors, body)
    stored: dict[str, Any] = {}
    for field in ("currency", "customer", "date", "layout", "paymentTerms", "recipient"):
        if body.get(field) is None:
            _add(errors, field, "E00200", f"Property {field} is required.")
    currency = body.get("currency")
    if currency is not None:
        if currency not in CURRENCIES:
            _add(errors, "currency", "E06000", "currency does not exist.", currency)
        else:
            stored["currency"] = currency
    customer = body.get("customer")
    if customer is not None:
        number = customer.get("customerNumber") if isinstance(customer, Mapping) else None
        if number not in customers:
            _add(errors, "customer", "E06010", "customer does not exist.")
        else:
            stored["customer"] = number
    date = body.get("date")
    if date is not None:
        if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            _add(errors, "date", "E00700", "date must be written YYYY-MM-DD.", date)
        else:
            stored["date"] = date
    for field in ("layout", "paymentTerms"):
        if body.get(field) is not None:
            number = _reference(errors, body, field)
            if number is not None:
                stored[field] = number
    recipient = body.get("recipient")
    if recipient is not None:
        if not isinstance(recipient, Mapping) or not isinstance(recipient.get("name"), str):
            _add(errors, "recipient", "E00200", "recipient.name is required.")
        elif recipient.get("vatZone") is None:
            _add(errors, "recipient", "E00200", "recipient.vatZone is required.")
        else:
            zone = _reference(errors, recipient, "vatZone")
            if zone is not None:
                stored["recipient"] = {"name": recipient["name"], "vatZone": zone}
    other = (
        body.get("references", {}).get("other")
        if isinstance(body.get("references"), Mapping)
        else None
    )
    if isinstance(other, str):
        if len(other) > 250:
            _add(errors, "references", "E00400", "references.other can be at most 250.")
        else:
            stored["references"] = {"other": other}
    stored["lines"], line_errors = _lines(body.get("lines", []), products)
    if line_errors:
        errors["lines"] = line_errors
    if isinstance(body.get("notes"), Mapping):
        stored["notes"] = {k: v for k, v in body["notes"].items() if isinstance(v, str)}
    return stored, errors


def _lines(lines: Any, products: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    stored: list[dict[str, Any]] = []
    errors: list[Any] = []
    if not isinstance(lines, list):
        return stored, [{"arrayIndex": 0, "lines": {"errors": [{"message": "lines is a list."}]}}]
    for index, given in enumerate(lines):
        line: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        line_errors: Errors = {}
        out: dict[str, Any] = {"lineNumber": index + 1, "sortKey": index + 1}
        product = line.get("product")
        number = product.get("productNumber") if isinstance(product, Mapping) else None
        if number is not None:
            if number not in products:
                _add(line_errors, "product", "E06010", "product does not exist.")
            else:
                out["product"] = number
        quantity = line.get("quantity", 1)
        price = line.get("unitNetPrice", 0)
        if not _is_number(quantity):
            _add(line_errors, "quantity", "E00300", "quantity must be a number.")
        if not _is_number(price):
            _add(line_errors, "unitNetPrice", "E00300", "unitNetPrice must be a number.")
        elif _decimals(price) > 2:
            _add(
                line_errors,
                "unitNetPrice",
                "E04740",
                "unitNetPrice scale cannot be greater then two decimal places.",
            )
        description = line.get("description", "")
        if not isinstance(description, str) or len(description) > 2500:
            _add(line_errors, "description", "E00400", "description can be at most 2500.")
        discount = line.get("discountPercentage", 0)
        if not _is_number(discount) or not 0 <= discount <= 100:
            _add(line_errors, "discountPercentage", "E00300", "discountPercentage is 0 to 100.")
        if line_errors:
            errors.append({"arrayIndex": index, **line_errors})
            continue
        out |= {"quantity": quantity, "unitNetPrice": price, "description": description}
        if discount:
            out["discountPercentage"] = discount
        stored.append(out)
    return stored, errors


def render_draft(base: str, number: int, record: Mapping[str, Any]) -> dict[str, Any]:
    me = f"{base}/invoices/drafts/{number}"
    net = Decimal(0)
    lines = []
    for line in record["lines"]:
        amount = Decimal(str(line["quantity"])) * Decimal(str(line["unitNetPrice"]))
        amount *= 1 - Decimal(str(line.get("discountPercentage", 0))) / 100
        net += amount
        rendered = {k: v for k, v in line.items() if k != "product"}
        if "product" in line:
            rendered["product"] = {
                "productNumber": line["product"],
                "self": f"{base}/products/{escape_product_number(line['product'])}",
            }
        lines.append(rendered)
    vat = net * Decimal("0.25") if record["recipient"]["vatZone"] == 1 else Decimal(0)
    out: dict[str, Any] = {
        "draftInvoiceNumber": number,
        "date": record["date"],
        "currency": record["currency"],
        "netAmount": float(round(net, 2)),
        "vatAmount": float(round(vat, 2)),
        "grossAmount": float(round(net + vat, 2)),
        "customer": {
            "customerNumber": record["customer"],
            "self": f"{base}/customers/{record['customer']}",
        },
        "layout": _ref(base, "layout", record["layout"]),
        "paymentTerms": _ref(base, "paymentTerms", record["paymentTerms"]),
        "recipient": {
            "name": record["recipient"]["name"],
            "vatZone": _ref(base, "vatZone", record["recipient"]["vatZone"]),
        },
        "lines": lines,
        "lastUpdated": timestamp(record["lastUpdated"]),
        "self": me,
    }
    for field in ("references", "notes"):
        if field in record:
            out[field] = record[field]
    return out
