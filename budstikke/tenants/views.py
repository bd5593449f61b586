"""Tenant pages: the tenant's home, members, invitations, and the tenant switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.accounts.models import User
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent
from budstikke.tenants import selectors
from budstikke.tenants.access import (
    TenantRequest,
    reauthenticated,
    switch_tenant,
    tenant_view,
)
from budstikke.tenants.actions import (
    AccessError,
    accept_invitation,
    change_role,
    invite,
    remove_member,
    revoke_invitation,
)
from budstikke.tenants.forms import InvitedSignupForm, InviteForm, RoleForm
from budstikke.tenants.models import Invitation, Membership, Role

ADMIN = {Role.ADMIN}


@tenant_view()
@require_http_methods(["GET"])
def home(request: TenantRequest) -> HttpResponse:
    return render(request, "tenants/home.html", {"membership": request.membership})


@require_http_methods(["GET", "POST"])
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """Choose the current tenant among one's own memberships (nothing else is listed)."""
    user = request.user
    assert isinstance(user, User)
    if user.is_operator:
        raise Http404
    memberships = selectors.memberships_of(user)
    if request.method == "POST":
        chosen = memberships.filter(tenant_id=request.POST.get("tenant", "")).first()
        if chosen is None:
            raise Http404
        switch_tenant(request, chosen.tenant)
        return redirect("tenants:home")
    return render(request, "tenants/switch.html", {"memberships": memberships})


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def members(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "tenants/members.html",
        {
            "members": selectors.members(request.tenant),
            "invitations": selectors.pending_invitations(request.tenant),
        },
    )


@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def invite_member(request: TenantRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = invite(
            tenant=request.tenant,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("tenants:members")
    return render(request, "tenants/invite.html", {"form": form})


@tenant_view(roles=ADMIN, objects={"membership": Membership})
@require_http_methods(["GET", "POST"])
@reauthenticated
def member_role(request: TenantRequest, membership: Membership) -> HttpResponse:
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            change_role(membership, form.cleaned_data["role"])
        except AccessError as error:
            form.add_error("role", str(error))
        else:
            messages.success(request, _("Role changed."))
            return redirect("tenants:members")
    return render(request, "tenants/member_role.html", {"form": form, "member": membership})


@tenant_view(roles=ADMIN, objects={"membership": Membership})
@require_http_methods(["GET", "POST"])
@reauthenticated
def member_remove(request: TenantRequest, membership: Membership) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            remove_member(membership)
        except AccessError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Access removed. Their sessions have ended."))
            return redirect("tenants:members")
    return render(request, "tenants/member_remove.html", {"member": membership, "error": error})


@tenant_view(roles=ADMIN, objects={"invitation": Invitation})
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: TenantRequest, invitation: Invitation) -> HttpResponse:
    if request.method == "POST":
        revoke_invitation(invitation)
        messages.success(request, _("Invitation withdrawn."))
        return redirect("tenants:members")
    return render(request, "tenants/invitation_revoke.html", {"invitation": invitation})


def _misuse_reason(invitation: Invitation | None) -> str:
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "reused"
    if invitation.revoked_at is not None:
        return "revoked"
    return "expired"


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email. A logged-in person accepts; a new person creates
    an account for the invited address; an existing one logs in first."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None or not invitation.is_pending:
        record(
            SecurityEvent.Kind.INVITATION_MISUSE,
            request=request,
            tenant=invitation.tenant if invitation else None,
            reason=_misuse_reason(invitation),
        )
        return render(request, "tenants/invitation_invalid.html", status=404)
    context: dict[str, object] = {"invitation": invitation}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                accept_invitation(invitation, request.user)
            except AccessError as error:
                context["error"] = str(error)
            else:
                switch_tenant(request, invitation.tenant)
                messages.success(
                    request, _("Welcome to %(tenant)s.") % {"tenant": invitation.tenant.name}
                )
                return redirect("tenants:home")
        return render(request, "tenants/invitation_accept.html", context)
    return _accept_as_new_person(request, invitation, context)


def _accept_as_new_person(
    request: HttpRequest, invitation: Invitation, context: dict[str, object]
) -> HttpResponse:
    from allauth.account.utils import perform_login

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["has_account"] = True
        return render(request, "tenants/invitation_accept.html", context)
    form = InvitedSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # create_user records the address as verified: the link arrived there.
            user = User.objects.create_user(
                invitation.email,
                form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
            try:
                accept_invitation(invitation, user)
            except AccessError as error:
                transaction.set_rollback(True)
                context["error"] = str(error)
                context["form"] = form
                return render(request, "tenants/invitation_accept.html", context)
        response: HttpResponse = perform_login(request, user, redirect_url=reverse("tenants:home"))
        switch_tenant(request, invitation.tenant)
        return response
    context["form"] = form
    return render(request, "tenants/invitation_accept.html", context)
