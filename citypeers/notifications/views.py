"""The signed-in user's notifications: the list, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.for_user(request.user, unread_only=unread_only), PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
        },
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and go where it points (or back to the list)."""
    note = selectors.for_user(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    services.mark_read(user=request.user, notification=note)
    target = note.url
    if request.POST.get("stay") or not target:
        return redirect("notifications:list")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications:list")
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    return redirect("notifications:list")
