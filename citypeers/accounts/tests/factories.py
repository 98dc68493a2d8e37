"""Factories of the accounts app."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory, Password

from citypeers.accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    """An active user whose password is :data:`DEFAULT_PASSWORD` unless given."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.Faker("name")
    password = Password(DEFAULT_PASSWORD)
    preferred_language = "en"
