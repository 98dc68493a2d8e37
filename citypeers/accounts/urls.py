from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.urls import path, reverse_lazy

from citypeers.core.ratelimit import limit_posts

from . import account_views, views
from .forms import LoginForm


def _reset_email(request: HttpRequest) -> str:
    return str(request.POST.get("email", "")).strip().lower()


app_name = "accounts"

urlpatterns = [
    path("sign-up/", limit_posts("signup")(views.sign_up), name="sign-up"),
    path(
        "log-in/",
        limit_posts("login")(
            auth_views.LoginView.as_view(
                template_name="accounts/log_in.html",
                authentication_form=LoginForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("log-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        limit_posts("password_reset", also=("password_reset_email", _reset_email))(
            views.PasswordResetView.as_view()
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("account/", account_views.account, name="account"),
    path("account/personal-data.json", account_views.personal_data, name="personal-data"),
    path("account/delete/", account_views.delete_account, name="delete"),
]
