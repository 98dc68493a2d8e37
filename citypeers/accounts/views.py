from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citypeers.core.errors import PermissionDenied
from citypeers.directory.models import Organisation

from . import selectors
from .forms import SignUpForm
from .permissions import can_view_audit_log
from .services import user_sign_up

AUDIT_PAGE_SIZE = 50


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` address, when it points into this site (never to another host)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
        )
        login(request, user, backend="citypeers.accounts.backends.UsernameOrEmailBackend")
        return redirect(_safe_next(request) or "core:home")
    return render(request, "accounts/sign_up.html", {"form": form, "next": _safe_next(request)})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, naming the platform (not the host) in the e-mail."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_name": settings.CITYPEERS_SITE_NAME}
        return super().form_valid(form)


@login_required
@require_GET
def organisation_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """The audit log of an organisation: every change to it and to what it takes part in."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_view_audit_log(request.user, organisation):
        raise PermissionDenied(_("Only the organisation's admins can read its audit log."))
    page = Paginator(
        selectors.audit_log_for_organisation(organisation.pk), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    names: dict[str, str] = {}
    rows = []
    for link in page.object_list:
        event = link.event
        if event.target_type not in names:
            names[event.target_type] = selectors.record_type_name(event.target_type)
        rows.append(
            {
                "event": event,
                "record_type": names[event.target_type],
                "details": json.dumps(event.data, ensure_ascii=False, sort_keys=True)[:300]
                if event.data
                else "",
            }
        )
    return render(
        request,
        "accounts/organisation_audit.html",
        {"organisation": organisation, "page": page, "rows": rows},
    )
