"""Sign in with a username or an e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username and "@" in username:
            match = User.objects.filter(email__iexact=username).only("username").first()
            if match is not None:
                username = match.username
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return user if isinstance(user, User) else None
