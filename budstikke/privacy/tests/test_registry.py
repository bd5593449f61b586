"""Every model of every installed app declares its retention, or why it needs none."""

from __future__ import annotations

from django.apps import apps

from budstikke.privacy import purge, registry


def _models() -> list[str]:
    return sorted(
        model._meta.label for model in apps.get_models() if model._meta.app_label != "specimens"
    )


def test_every_model_has_a_rule_or_a_reason_to_have_none() -> None:
    ruled = {rule.model for rule in registry.rules()}
    missing = [
        label
        for label in _models()
        if label not in ruled and label not in registry.NO_PERSONAL_DATA
    ]
    assert missing == [], (
        f"models without a retention rule: {missing}. Add a Rule to privacy/registry.py "
        "(or, if they hold no personal data, a line in NO_PERSONAL_DATA)."
    )


def test_no_model_is_both_ruled_and_exempt() -> None:
    ruled = {rule.model for rule in registry.rules()}
    assert sorted(ruled & set(registry.NO_PERSONAL_DATA)) == []


def test_every_rule_and_exemption_names_an_installed_model() -> None:
    installed = set(_models())
    named = {rule.model for rule in registry.rules()} | set(registry.NO_PERSONAL_DATA)
    assert sorted(named - installed) == []


def test_rule_keys_are_unique_and_every_rule_is_complete() -> None:
    found = registry.rules()
    keys = [rule.key for rule in found]
    assert len(keys) == len(set(keys))
    for rule in found:
        assert rule.action in registry.ACTIONS, rule.key
        assert all((rule.period_text, rule.starts, rule.basis, rule.categories)), rule.key
        assert (rule.period is None) == (rule.action == registry.KEEP), rule.key
        assert rule.key.startswith(rule.model.lower()), rule.key
        assert all(reason.strip() for reason in registry.NO_PERSONAL_DATA.values())


def test_every_rule_that_changes_data_is_enforced_by_the_purge() -> None:
    changing = {rule.key for rule in registry.rules() if rule.action != registry.KEEP}
    assert sorted(changing - purge.ENFORCED) == []
    changing |= {rule.key for rule in registry.file_rules()}
    assert sorted(changing - purge.ENFORCED) == []
    known = {rule.key for rule in [*registry.rules(), *registry.file_rules()]}
    known |= {"usersessions.usersession"}
    assert sorted(purge.ENFORCED - known) == []


def test_rule_for_gives_the_rule_that_ends_the_row() -> None:
    from budstikke.notify.models import SmsMessage
    from budstikke.shield.models import SecurityEvent
    from budstikke.shipments.models import PriceZone, Shipment

    event_rule = registry.rule_for(SecurityEvent)
    assert event_rule is not None
    assert (event_rule.key, event_rule.action) == ("shield.securityevent", registry.DELETE)
    sms_rule = registry.rule_for(SmsMessage)
    assert sms_rule is not None
    assert sms_rule.key == "notify.smsmessage"
    assert [r.action for r in registry.rules_for(SmsMessage)] == [
        registry.ANONYMISE,
        registry.DELETE,
    ]
    shipment_rule = registry.rule_for(Shipment)
    assert shipment_rule is not None
    assert shipment_rule.period_text == "8 years"
    assert registry.rule_for(PriceZone) is None


def test_the_defaults_of_the_issue() -> None:
    from datetime import timedelta

    expected = {
        "shield.securityevent": timedelta(days=90),
        "shield.securityevent.ip": timedelta(days=7),
        "notify.smsmessage.body": timedelta(days=90),
        "sessions.session": timedelta(0),
    }
    for key, period in expected.items():
        assert registry.rule(key).period == period, key
    for key in ("shipments.shipment", "dispatch.stopupdate", "shipments.trackingevent"):
        assert registry.rule(key).calendar_years == 8, key
    for key in ("billing.invoice", "tenants.licenceinvoice", "notify.smsmessage"):
        rule = registry.rule(key)
        assert (rule.calendar_years, rule.financial_year) == (5, True), key
