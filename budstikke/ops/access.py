"""Operator pages: platform staff only. Everyone else gets 404, as if the page did not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse


def operator_view[F: Callable[..., HttpResponse]](view: F) -> F:
    """Login and the operator flag; the accounts middleware has already demanded 2FA."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_operator:
            raise Http404
        from budstikke.accounts.selectors import has_second_factor

        if not has_second_factor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
