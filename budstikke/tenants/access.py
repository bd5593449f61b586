"""Who may see which tenant: the current tenant of a request and the `tenant_view` decorator.

The current tenant lives in the session but is only a wish: `CurrentTenantMiddleware`
checks it against `Membership` on every request, so a removed member loses access on their
very next request. Views of tenant pages are wrapped in `tenant_view`, which demands login,
membership and role, turns URL ids into the tenant's own objects, and answers 404 — never
403 — for another tenant's object (recording a CROSS_TENANT security event).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from budstikke.core.tenancy import TenantManager, get_for_tenant_or_404
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.models import Membership, Role, Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User

SESSION_KEY = "budstikke_tenant_id"
ALL_ROLES: frozenset[str] = frozenset(Role.values)


class TenantRequest(HttpRequest):
    """What a `tenant_view` receives: a request whose tenant and membership are checked."""

    user: User
    tenant: Tenant
    membership: Membership


def _membership_for(user: User, wanted_tenant_id: object) -> Membership | None:
    # A cancelled company stays reachable for its admins alone, to export or withdraw.
    memberships = Membership.objects.select_related("tenant").filter(
        Q(tenant__status=Tenant.Status.ACTIVE)
        | Q(tenant__status=Tenant.Status.CANCELLED, role=Role.ADMIN),
        user=user,
    )
    if wanted_tenant_id is not None:
        chosen: Membership | None = memberships.filter(tenant_id=wanted_tenant_id).first()
        if chosen is not None:
            return chosen
    oldest: Membership | None = memberships.order_by("created_at", "pk").first()
    return oldest


class CurrentTenantMiddleware:
    """Sets `request.tenant` and `request.membership` (or None) from the session, re-checked
    against the database on every request. Operators never have a current tenant."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_operator:
            wanted = request.session.get(SESSION_KEY)
            membership = _membership_for(user, wanted)
            if membership is not None:
                request.tenant = membership.tenant  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
                if wanted != membership.tenant_id:
                    request.session[SESSION_KEY] = membership.tenant_id
            elif wanted is not None:
                del request.session[SESSION_KEY]
        return self.get_response(request)


def switch_tenant(request: HttpRequest, tenant: Tenant) -> None:
    """Make `tenant` current for this session; the middleware re-checks membership anyway."""
    request.session[SESSION_KEY] = tenant.pk


def _second_factor_missing(user: User) -> bool:
    from budstikke.accounts.selectors import has_second_factor

    return not has_second_factor(user)


def _to_enrollment(request: HttpRequest) -> HttpResponse:
    """A password-only session never sees a tenant page; it is sent to enroll a second factor
    (the accounts middleware normally does this before a tenant view is reached)."""
    try:
        url = reverse("mfa_activate_totp")
    except NoReverseMatch:
        raise Http404 from None
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def tenant_object_or_404[M: models.Model](
    request: HttpRequest, tenant: Tenant, model: type[M], **lookup: Any
) -> M:
    """The tenant's object, or 404. When the object exists in another tenant, that is an
    attempt to cross tenants and becomes a security event — the answer is still 404."""
    try:
        return get_for_tenant_or_404(model, tenant, **lookup)
    except Http404:
        manager = model._default_manager
        assert isinstance(manager, TenantManager)
        try:
            elsewhere = manager.dangerously_unscoped().filter(**lookup).exclude(tenant=tenant)
            crossed = elsewhere.exists()
        except (ValueError, TypeError):
            crossed = False
        if crossed:
            record(
                SecurityEvent.Kind.CROSS_TENANT,
                request=request,
                tenant=tenant,
                model=model._meta.label,
            )
        raise


type TenantViewFunc = Callable[Concatenate[TenantRequest, ...], HttpResponse]


def tenant_view(
    roles: Collection[str] = ALL_ROLES,
    objects: Mapping[str, type[models.Model]] | None = None,
    *,
    when_cancelled: bool = False,
) -> Callable[[TenantViewFunc], Callable[..., HttpResponse]]:
    """Require login, a second factor, a membership of the current tenant and one of `roles`.

    `objects` maps URL keyword arguments to tenant-owned models: `{"membership": Membership}`
    turns the id in the URL into that tenant's Membership, or 404. The wrapped view is
    marked, so a test can find every tenant URL and demand an outsider test for it.
    A cancelled company's admins reach only views marked `when_cancelled` (offboarding:
    export and withdrawal); every other page sends them there.
    """
    wanted_roles = frozenset(str(role) for role in roles)
    lookups = dict(objects or {})

    def decorator(view: TenantViewFunc) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.is_operator:
                raise Http404
            if _second_factor_missing(user):
                return _to_enrollment(request)
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            for name, model in lookups.items():
                kwargs[name] = tenant_object_or_404(
                    request, membership.tenant, model, pk=kwargs[name]
                )
            if membership.role not in wanted_roles:
                raise PermissionDenied
            if membership.tenant.status != Tenant.Status.ACTIVE and not when_cancelled:
                return HttpResponseRedirect(reverse("privacy:offboarding"))
            return view(request, *args, **kwargs)  # type: ignore[arg-type]

        wrapper.tenant_view = True  # type: ignore[attr-defined]
        wrapper.tenant_objects = lookups  # type: ignore[attr-defined]
        wrapper.tenant_roles = wanted_roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


def reauthenticated[F: Callable[..., HttpResponse]](view: F) -> F:
    """allauth's re-authentication demand (a fresh password or second factor) before changes
    to who has access or to security settings. Put it inside `tenant_view`, so outsiders
    get their 404 before anyone asks them for a password."""
    from allauth.account.decorators import reauthentication_required

    return cast("F", reauthentication_required(view))


def is_tenant_view(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "tenant_view", False))
