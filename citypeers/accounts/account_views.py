"""The signed-in person's account page: download their data, delete their account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citypeers.core.errors import ApplicationError

from .forms import AccountDeleteForm
from .personal_data import personal_data_export, sole_admin_of
from .services import account_delete


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """What the platform holds about the signed-in person, and the way out."""
    return render(request, "accounts/account.html", {"account": request.user})


@login_required
@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    """Everything held about the signed-in person, as a JSON file to download."""
    data = personal_data_export(user=request.user)  # type: ignore[arg-type]
    response = JsonResponse(data, json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="citypeers-personal-data-{request.user.pk}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete the signed-in person's account, confirmed by their password."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                password=form.cleaned_data["password"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("core:home")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "sole_admin_of": sole_admin_of(user=request.user)},  # type: ignore[arg-type]
        status=400 if form.errors else 200,
    )
