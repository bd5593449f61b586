"""Retention pages: the tenant admin's table of what is kept how long and why, with the
purge counts of their own company; the operator's purge report (counts only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from budstikke.ops.access import operator_view
from budstikke.privacy import registry
from budstikke.privacy.models import PurgeCount, PurgeRun
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role, Tenant

ADMIN = {Role.ADMIN}
RUNS_SHOWN = 14


def rule_title(rule: registry.Rule) -> str:
    """What a rule is about, in words: the model's name, and the action for a second rule
    of the same model ("SMS messages: anonymise …")."""
    if rule.key == registry.SECURITY_LOG:
        return _("Security log file")
    try:
        meta = apps.get_model(rule.model)._meta
    except LookupError:
        return rule.key
    title = str(meta.verbose_name_plural)
    title = title[:1].upper() + title[1:]
    if rule.key != rule.model.lower():
        title = f"{title}: {rule.action_text}"
    return title


@dataclass
class Line:
    title: str
    action: str
    rows: int
    per_tenant: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class RunReport:
    run: PurgeRun
    lines: list[Line]

    @property
    def total(self) -> int:
        return sum(line.rows for line in self.lines)


def _all_rules() -> list[registry.Rule]:
    return [*registry.rules(), *registry.file_rules()]


def _titles() -> dict[str, str]:
    return {rule.key: rule_title(rule) for rule in _all_rules()}


def _reports(
    runs: list[PurgeRun], counts: list[PurgeCount], names: dict[int, str] | None = None
) -> list[RunReport]:
    titles = _titles()
    grouped: dict[int, dict[tuple[str, str], Line]] = defaultdict(dict)
    for count in counts:
        lines = grouped[count.run_id]
        line = lines.get((count.rule, count.action))
        if line is None:
            line = Line(titles.get(count.rule, count.rule), registry.action_label(count.action), 0)
            lines[(count.rule, count.action)] = line
        line.rows += count.count
        if names is not None:
            who = names.get(count.tenant_id, "") if count.tenant_id else ""
            line.per_tenant.append((who, count.count))
    return [
        RunReport(run, sorted(grouped[run.pk].values(), key=lambda line: line.title))
        for run in runs
    ]


@tenant_view(roles=ADMIN)
@require_GET
def retention(request: TenantRequest) -> HttpResponse:
    runs = list(PurgeRun.objects.filter(dry_run=False)[:RUNS_SHOWN])
    counts = list(
        PurgeCount.objects.filter(run__in=runs, tenant=request.tenant).order_by("rule", "action")
    )
    return render(
        request,
        "privacy/retention_tenant.html",
        {
            "rules": [(rule_title(rule), rule) for rule in _all_rules()],
            "reports": _reports(runs, counts),
        },
    )


@operator_view
@require_GET
def ops_purge(request: HttpRequest) -> HttpResponse:
    runs = list(PurgeRun.objects.all()[:RUNS_SHOWN])
    counts = list(PurgeCount.objects.filter(run__in=runs).order_by("rule", "action", "tenant_id"))
    names = dict(
        Tenant.objects.filter(pk__in={c.tenant_id for c in counts if c.tenant_id}).values_list(
            "pk", "name"
        )
    )
    return render(
        request,
        "privacy/purge_ops.html",
        {
            "reports": _reports(runs, counts, names),
            "rules": [(rule_title(rule), rule) for rule in _all_rules()],
        },
    )
