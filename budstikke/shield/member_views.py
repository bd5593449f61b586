"""The tenant admin's security page: sign-in attempts on the company's members, the bans
they led to, the members' signed-in sessions, and ending a member's sessions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.accounts.actions import end_all_sessions
from budstikke.core import clock
from budstikke.shield import member_security
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Membership, Role

ADMIN = {Role.ADMIN}


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def overview(request: TenantRequest) -> HttpResponse:
    since = clock.now() - member_security.WINDOW
    members = member_security.Members(request.tenant)
    page = Paginator(member_security.attempts(members, since), member_security.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "shield/member_security.html",
        {
            "page": page,
            "attempts": member_security.describe(members, page.object_list, since),
            "bans": member_security.bans(members, since),
            "sessions": member_security.signed_in_sessions(members),
            "current_session": request.session.session_key,
            "days": member_security.WINDOW.days,
            "zone": request.tenant.timezone or "Europe/Copenhagen",
        },
    )


@tenant_view(roles=ADMIN, objects={"membership": Membership})
@require_http_methods(["POST"])
def end_sessions(request: TenantRequest, membership: Membership) -> HttpResponse:
    """Every session of the member ends at its next request, wherever it is."""
    end_all_sessions(membership.user)
    messages.success(
        request,
        _("%(email)s is signed out everywhere at their next request.")
        % {"email": membership.user.email},
    )
    return redirect("tenant_security:overview")
