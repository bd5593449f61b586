"""The retention registry (ARCHITECTURE invariant 5): how long each model's rows are kept,
from which event, what happens then, and why.

Every model of every installed app either has a rule here or is named in
`NO_PERSONAL_DATA` with its reason; `tests/test_registry.py` fails for a model that has
neither, so a new model cannot slip past retention. `purge.py` enforces the rules; the
records of processing (Art. 30) and the tenant's retention page read them.

A model may have more than one rule (security events lose the host part of their IP after
7 days and are deleted after 90); `rule_for()` gives the one that ends the row's life, and
`rules_for()` all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.db.models import Model
from django.utils.translation import gettext as _

DELETE = "delete"
ANONYMISE = "anonymise"
SHRED = "shred"
TRUNCATE_IP = "truncate-ip"
KEEP = "keep"
ACTIONS = (DELETE, ANONYMISE, SHRED, TRUNCATE_IP, KEEP)


def years(n: int) -> timedelta:
    """N calendar years as a timedelta (leap days included): for display and ordering only;
    the purge counts calendar years exactly."""
    return timedelta(days=365 * n + n // 4)


@dataclass(frozen=True)
class Rule:
    key: str  # stable id, e.g. "shipments.shipment"
    model: str  # "app_label.ModelName"
    period: timedelta | None  # None: as long as the tenant keeps it / until it leaves
    period_text: str
    starts: str
    action: str  # one of ACTIONS
    basis: str
    categories: str
    # Calendar years of `period` (8 years is 8 birthdays, not 2922 days), and whether they
    # count from the end of the financial year of the start event (bookkeeping data).
    calendar_years: int = 0
    financial_year: bool = False

    @property
    def action_text(self) -> str:
        return action_label(self.action)


def action_label(action: str) -> str:
    return {
        DELETE: _("delete"),
        ANONYMISE: _("anonymise (personal fields blanked, row kept)"),
        SHRED: _("shred (key destroyed)"),
        TRUNCATE_IP: _("shorten IP addresses (/24, /48)"),
        KEEP: _("keep"),
    }.get(action, action)


# Models that hold no personal data and need no retention, each with its reason.
NO_PERSONAL_DATA: dict[str, str] = {
    "auth.Permission": "permission definitions of the code",
    "auth.Group": "named sets of permissions, no people",
    "contenttypes.ContentType": "names of the installed models",
    "core.Heartbeat": "the worker's last proof of life",
    "tenants.DataProcessingAgreement": "the agreement's versions and text",
    "shield.CountryPolicy": "per-country restriction decisions",
    "customers.CustomFieldDefinition": "names and kinds of the tenant's extra customer fields",
    "notify.AllowedCallingCode": "the platform's SMS country allow-list",
    "notify.TenantCallingCode": "extra calling codes granted to a tenant",
    "notify.NotificationSettings": "which events send SMS, caps and quiet hours",
    "notify.SmsTemplate": "message templates with placeholders, no recipient data",
    "backups.BackupRun": "when backups ran, their size and checksum (the sets' own retention: "
    "docs/backups.md)",
    "backups.BackupCheck": "results of restore drills",
    "shipments.PriceZone": "postcode ranges of the price list",
    "shipments.PriceRule": "prices",
    "shipments.PriceSurcharge": "surcharges",
    "billing.BillingSettings": "e-conomic product and layout numbers",
    "privacy.SubProcessor": "companies the platform uses, with purpose and location",
    "privacy.SubProcessorNotice": "announced changes to the sub-processor list",
}


def _bookkeeping() -> str:
    return _("Danish Bookkeeping Act: accounting records are kept for 5 years")


def _account() -> str:
    return _("Contract: needed to run the user's account (GDPR Art. 6(1)(b))")


def _tenant_keeps() -> str:
    return _("as long as the company keeps it, deleted when the company leaves")


def _security() -> str:
    return _("Legitimate interest: protecting the service against attacks (GDPR Art. 6(1)(f))")


def _outbox() -> str:
    return _("Legitimate interest: tracing what was sent and answering complaints")


def _package() -> str:
    return _(
        "Package information is kept 8 years (terms of carriage: documentation of "
        "deliveries, claims and disputes)"
    )


def _all_rules() -> list[Rule]:
    from budstikke.shipments.actions import CSV_IMPORT_HOURS

    five = _("5 years")
    thirty = _("30 days")
    ninety = _("90 days")
    eight = _("8 years")
    forever = _("until the company leaves")
    with_shipment = _("with its shipment: 8 years after delivery, return or cancellation")
    fiscal = _("from the end of the financial year (calendar year) of its creation")
    found: list[Rule] = [
        # -- sign-in and accounts ----------------------------------------------------------
        Rule(
            key="sessions.session",
            model="sessions.Session",
            period=timedelta(0),
            period_text=_("until expiry"),
            starts=_("when the session expires (idle or absolute timeout)"),
            action=DELETE,
            basis=_account(),
            categories=_("session identifier, signed-in user, sign-in times"),
        ),
        Rule(
            key="account.emailconfirmation",
            model="account.EmailConfirmation",
            period=timedelta(days=7),
            period_text=_("7 days"),
            starts=_("after the confirmation was created"),
            action=DELETE,
            basis=_account(),
            categories=_("email address being confirmed"),
        ),
        Rule(
            key="account.emailaddress",
            model="account.EmailAddress",
            period=None,
            period_text=_("as long as the user account exists"),
            starts=_("deleted with the account"),
            action=KEEP,
            basis=_account(),
            categories=_("email addresses"),
        ),
        Rule(
            key="mfa.authenticator",
            model="mfa.Authenticator",
            period=None,
            period_text=_("as long as the user account exists"),
            starts=_("deleted with the account or when the user removes the factor"),
            action=KEEP,
            basis=_account(),
            categories=_("second-factor secrets (encrypted), security keys, recovery codes"),
        ),
        Rule(
            key="accounts.user",
            model="accounts.User",
            period=None,
            period_text=_("as long as the user account exists"),
            starts=_(
                "deleted when its company leaves, unless the person works for another company"
            ),
            action=KEEP,
            basis=_account(),
            categories=_("names, email addresses, password hashes, language"),
        ),
        Rule(
            key="accounts.outgoingemail",
            model="accounts.OutgoingEmail",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("after it was sent or given up"),
            action=DELETE,
            basis=_outbox(),
            categories=_("recipients, subject and body of emails (sealed)"),
        ),
        # -- tenants -----------------------------------------------------------------------
        Rule(
            key="tenants.tenant",
            model="tenants.Tenant",
            period=None,
            period_text=forever,
            starts=_("afterwards only a record without personal data remains"),
            action=KEEP,
            basis=_("Contract with the company (GDPR Art. 6(1)(b))"),
            categories=_("company name, country, settings"),
        ),
        Rule(
            key="tenants.membership",
            model="tenants.Membership",
            period=None,
            period_text=_("as long as the person has access"),
            starts=_("deleted when an admin removes the person or the company leaves"),
            action=KEEP,
            basis=_account(),
            categories=_("who works for which company, and in which role"),
        ),
        Rule(
            key="tenants.dpaacceptance",
            model="tenants.DpaAcceptance",
            period=None,
            period_text=forever,
            starts=_("from acceptance of the data-processing agreement"),
            action=KEEP,
            basis=_("Proof of the data-processing agreement (GDPR Art. 28 and 5(2))"),
            categories=_("who accepted, when, from which IP address"),
        ),
        Rule(
            key="tenants.licenceinvoice",
            model="tenants.LicenceInvoice",
            period=years(5),
            period_text=five,
            starts=fiscal,
            action=DELETE,
            basis=_bookkeeping(),
            categories=_("none (company, period, amount)"),
            calendar_years=5,
            financial_year=True,
        ),
        Rule(
            key="tenants.invitation",
            model="tenants.Invitation",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("after the invitation expired"),
            action=DELETE,
            basis=_account(),
            categories=_("invitee's email address (encrypted)"),
        ),
        # -- shield ------------------------------------------------------------------------
        Rule(
            key="shield.securityevent.ip",
            model="shield.SecurityEvent",
            period=timedelta(days=7),
            period_text=_("7 days"),
            starts=_("after the event"),
            action=TRUNCATE_IP,
            basis=_security(),
            categories=_("IP addresses"),
        ),
        Rule(
            key="shield.securityevent",
            model="shield.SecurityEvent",
            period=timedelta(days=90),
            period_text=ninety,
            starts=_("after the event"),
            action=DELETE,
            basis=_security(),
            categories=_("IP addresses, country, user, requested path (access log)"),
        ),
        Rule(
            key="shield.ban",
            model="shield.Ban",
            period=timedelta(days=90),
            period_text=ninety,
            starts=_("after the ban expired or was lifted"),
            action=DELETE,
            basis=_security(),
            categories=_("IP addresses and networks, country, evidence of the attack"),
        ),
        Rule(
            key="shield.allowentry",
            model="shield.AllowEntry",
            period=None,
            period_text=_("until removed"),
            starts=_("from when the operator or the company added it"),
            action=KEEP,
            basis=_security(),
            categories=_("IP networks of offices"),
        ),
        Rule(
            key="shield.policyrevision",
            model="shield.PolicyRevision",
            period=None,
            period_text=_("as long as the installation runs"),
            starts=_("from the decision"),
            action=KEEP,
            basis=_("Accountability for country restrictions (GDPR Art. 5(2))"),
            categories=_("which operator decided (user reference)"),
        ),
        # -- customers and e-conomic -------------------------------------------------------
        Rule(
            key="customers.customer",
            model="customers.Customer",
            period=None,
            period_text=_tenant_keeps(),
            starts=_("until the company deletes the customer or leaves"),
            action=KEEP,
            basis=_("Contract with the shipper and the company's bookkeeping"),
            categories=_(
                "names, addresses, emails, phones, CVR/EAN numbers, contact persons, notes "
                "(encrypted)"
            ),
        ),
        Rule(
            key="customers.nametoken",
            model="customers.NameToken",
            period=None,
            period_text=_("with its customer"),
            starts=_("deleted with the customer"),
            action=KEEP,
            basis=_("Needed to search customers by name without storing names in clear"),
            categories=_("keyed digests of name words"),
        ),
        Rule(
            key="economic.connection",
            model="economic.Connection",
            period=None,
            period_text=_tenant_keeps(),
            starts=_("until the company disconnects e-conomic or leaves"),
            action=KEEP,
            basis=_("Contract: synchronising the company's accounting"),
            categories=_("e-conomic access tokens (encrypted), company name"),
        ),
        Rule(
            key="economic.customerlink",
            model="economic.CustomerLink",
            period=None,
            period_text=_("with its customer"),
            starts=_("deleted with the customer"),
            action=KEEP,
            basis=_("Contract: synchronising the company's accounting"),
            categories=_("last synchronised copy of the customer (encrypted)"),
        ),
        Rule(
            key="economic.push",
            model="economic.Push",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("after it was done or given up"),
            action=DELETE,
            basis=_outbox(),
            categories=_("which customer was sent to e-conomic"),
        ),
        Rule(
            key="economic.conflict",
            model="economic.Conflict",
            period=timedelta(days=365),
            period_text=_("1 year"),
            starts=_("after the conflict was resolved"),
            action=DELETE,
            basis=_("Legitimate interest: showing how synchronisation conflicts were resolved"),
            categories=_("conflicting customer field values (encrypted)"),
        ),
        Rule(
            key="economic.hookcall",
            model="economic.HookCall",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("after it was processed"),
            action=DELETE,
            basis=_outbox(),
            categories=_("none (customer numbers)"),
        ),
        # -- API, SMS, webhooks ------------------------------------------------------------
        Rule(
            key="api.apikey",
            model="api.ApiKey",
            period=None,
            period_text=_tenant_keeps(),
            starts=_("until the company leaves"),
            action=KEEP,
            basis=_("Contract: the shipper's access to the API"),
            categories=_("key name, who created it, when it was last used"),
        ),
        Rule(
            key="notify.countrycoderequest",
            model="notify.CountryCodeRequest",
            period=None,
            period_text=forever,
            starts=_("from the request"),
            action=KEEP,
            basis=_("Accountability for SMS country decisions"),
            categories=_("the request's message, who asked and who decided"),
        ),
        Rule(
            key="notify.smsmessage.body",
            model="notify.SmsMessage",
            period=timedelta(days=90),
            period_text=ninety,
            starts=_("after the message was created (once it is sent, delivered or failed)"),
            action=ANONYMISE,
            basis=_outbox(),
            categories=_("text and phone number of the message (encrypted)"),
        ),
        Rule(
            key="notify.smsmessage",
            model="notify.SmsMessage",
            period=years(5),
            period_text=five,
            starts=fiscal,
            action=DELETE,
            basis=_("Billing of SMS: count, segments and country (Danish Bookkeeping Act)"),
            categories=_("metadata: time, country, segments, status"),
            calendar_years=5,
            financial_year=True,
        ),
        Rule(
            key="notify.optout",
            model="notify.OptOut",
            period=None,
            period_text=_("as long as the opt-out stands"),
            starts=_("until the recipient opts in again or the company leaves"),
            action=KEEP,
            basis=_("Honouring the recipient's objection (GDPR Art. 21)"),
            categories=_("phone numbers (encrypted)"),
        ),
        Rule(
            key="webhooks.endpoint",
            model="webhooks.Endpoint",
            period=None,
            period_text=_tenant_keeps(),
            starts=_("until the company deletes it or leaves"),
            action=KEEP,
            basis=_("Contract: delivering events to the shipper"),
            categories=_("receiving address and signing secret (encrypted)"),
        ),
        Rule(
            key="webhooks.delivery",
            model="webhooks.Delivery",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("after it was delivered or given up"),
            action=DELETE,
            basis=_outbox(),
            categories=_("event payloads: tracking numbers, statuses, references"),
        ),
        Rule(
            key="webhooks.attempt",
            model="webhooks.Attempt",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("with its delivery"),
            action=DELETE,
            basis=_outbox(),
            categories=_("none (status codes, timings)"),
        ),
        # -- shipments, proof of delivery --------------------------------------------------
        Rule(
            key="shipments.shipment",
            model="shipments.Shipment",
            period=years(8),
            period_text=eight,
            starts=_("after delivery, return or cancellation"),
            action=DELETE,
            basis=_package(),
            categories=_(
                "recipient and pickup names, addresses, phones, emails, delivery notes "
                "(encrypted); an invoiced shipment within the bookkeeping period keeps only "
                "its financial fields"
            ),
            calendar_years=8,
        ),
        Rule(
            key="shipments.parcel",
            model="shipments.Parcel",
            period=years(8),
            period_text=eight,
            starts=with_shipment,
            action=DELETE,
            basis=_package(),
            categories=_("none (barcodes, weights, sizes)"),
            calendar_years=8,
        ),
        Rule(
            key="shipments.trackingevent",
            model="shipments.TrackingEvent",
            period=years(8),
            period_text=eight,
            starts=with_shipment,
            action=DELETE,
            basis=_package(),
            categories=_("status history, notes and courier positions (encrypted)"),
            calendar_years=8,
        ),
        Rule(
            key="dispatch.stopupdate",
            model="dispatch.StopUpdate",
            period=years(8),
            period_text=eight,
            starts=with_shipment,
            action=DELETE,
            basis=_package(),
            categories=_(
                "proof of delivery: recipient's name, signature, photo, courier position "
                "(encrypted)"
            ),
            calendar_years=8,
        ),
        Rule(
            key="dispatch.assignment",
            model="dispatch.Assignment",
            period=years(8),
            period_text=eight,
            starts=with_shipment,
            action=DELETE,
            basis=_package(),
            categories=_("which courier drove the shipment"),
            calendar_years=8,
        ),
        Rule(
            key="shipments.idempotencykey",
            model="shipments.IdempotencyKey",
            period=timedelta(days=30),
            period_text=thirty,
            starts=_("after the API request"),
            action=DELETE,
            basis=_("Contract: safe retries of API requests"),
            categories=_("none (request fingerprints)"),
        ),
        Rule(
            key="shipments.csvimport",
            model="shipments.CsvImport",
            period=timedelta(hours=CSV_IMPORT_HOURS),
            period_text=_("1 day"),
            starts=_("after the upload"),
            action=DELETE,
            basis=_("Contract: importing shipments; the file has no use afterwards"),
            categories=_("uploaded recipients' names, addresses, phones (encrypted)"),
        ),
        # -- the company's own accounting --------------------------------------------------
        Rule(
            key="billing.invoice",
            model="billing.Invoice",
            period=years(5),
            period_text=five,
            starts=fiscal,
            action=DELETE,
            basis=_bookkeeping(),
            categories=_("invoice lines: shipper, shipments, amounts (encrypted)"),
            calendar_years=5,
            financial_year=True,
        ),
        Rule(
            key="billing.invoiceline",
            model="billing.InvoiceLine",
            period=years(5),
            period_text=five,
            starts=_("with its invoice"),
            action=DELETE,
            basis=_bookkeeping(),
            categories=_("none (amounts per shipment)"),
            calendar_years=5,
            financial_year=True,
        ),
        Rule(
            key="billing.billingrun",
            model="billing.BillingRun",
            period=years(5),
            period_text=five,
            starts=fiscal,
            action=DELETE,
            basis=_bookkeeping(),
            categories=_("who started the billing run, counts"),
            calendar_years=5,
            financial_year=True,
        ),
        # -- data protection's own records -------------------------------------------------
        Rule(
            key="privacy.purgerun",
            model="privacy.PurgeRun",
            period=years(3),
            period_text=_("3 years"),
            starts=_("after the run"),
            action=DELETE,
            basis=_("Accountability: proof that retention is enforced (GDPR Art. 5(2))"),
            categories=_("none (counts per rule)"),
            calendar_years=3,
        ),
        Rule(
            key="privacy.purgecount",
            model="privacy.PurgeCount",
            period=years(3),
            period_text=_("3 years"),
            starts=_("with its run"),
            action=DELETE,
            basis=_("Accountability: proof that retention is enforced (GDPR Art. 5(2))"),
            categories=_("none (counts per rule)"),
            calendar_years=3,
        ),
        Rule(
            key="privacy.datasubjectrequest",
            model="privacy.DataSubjectRequest",
            period=years(3),
            period_text=_("3 years"),
            starts=_("after the request was completed"),
            action=DELETE,
            basis=_("Accountability: proof that data-subject requests were answered (Art. 5(2))"),
            categories=_("who was searched for (encrypted), counts of records found"),
            calendar_years=3,
        ),
        Rule(
            key="privacy.subprocessorobjection",
            model="privacy.SubProcessorObjection",
            period=None,
            period_text=forever,
            starts=_("from the objection"),
            action=KEEP,
            basis=_("Proof of the data-processing agreement (GDPR Art. 28)"),
            categories=_("the objecting admin and the reason"),
        ),
        Rule(
            key="privacy.incident",
            model="privacy.Incident",
            period=years(5),
            period_text=five,
            starts=_("after the incident was closed"),
            action=DELETE,
            basis=_("Documentation of personal-data breaches (GDPR Art. 33(5))"),
            categories=_("description of the incident and measures; may mention people"),
            calendar_years=5,
        ),
        Rule(
            key="privacy.deletioncertificate",
            model="privacy.DeletionCertificate",
            period=None,
            period_text=_("as long as the installation runs"),
            starts=_("from the deletion of the company's data"),
            action=KEEP,
            basis=_("Proof that a leaving company's data was deleted (GDPR Art. 28(3)(g))"),
            categories=_("company name, counts of deleted rows"),
        ),
    ]
    if apps.is_installed("allauth.usersessions"):
        found.append(
            Rule(
                key="usersessions.usersession",
                model="usersessions.UserSession",
                period=timedelta(0),
                period_text=_("until expiry"),
                starts=_("when its session ends or expires"),
                action=DELETE,
                basis=_account(),
                categories=_("IP address, browser (user agent), sign-in and last-seen times"),
            )
        )
    return found


def rules() -> list[Rule]:
    """Every rule for a model, texts in the active language (call it where they are shown)."""
    return _all_rules()


SECURITY_LOG = "files.securitylog"


def file_rules() -> list[Rule]:
    """Rules for what Budstikke keeps outside the database (their `model` is empty)."""
    return [
        Rule(
            key=SECURITY_LOG,
            model="",
            period=timedelta(days=7),
            period_text=_("7 days"),
            starts=_(
                "rotated every night; a rotated file is deleted before its first line is 7 days old"
            ),
            action=DELETE,
            basis=_security(),
            categories=_("IP addresses, country, requested path (the security log for fail2ban)"),
        )
    ]


def rules_for(model: type[Model]) -> list[Rule]:
    label = model._meta.label
    return [rule for rule in _all_rules() if rule.model == label]


def rule_for(model: type[Model]) -> Rule | None:
    """The rule that ends the life of the model's rows (delete over anonymise over
    truncate), or None when the model has no rule."""
    found = rules_for(model)
    if not found:
        return None
    order = {DELETE: 0, SHRED: 1, KEEP: 2, ANONYMISE: 3, TRUNCATE_IP: 4}
    return min(found, key=lambda rule: order.get(rule.action, 9))


def rule(key: str) -> Rule:
    """The rule with this key (KeyError if there is none)."""
    for candidate in [*_all_rules(), *file_rules()]:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
