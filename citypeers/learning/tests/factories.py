"""Factories of the learning forum, over the real reference data loaded for the test session.

Factories write rows directly (they are test fixtures, not interfaces); tests of the rules go
through the services.

Usage::

    EventFactory()                                    # a published on-site workshop next week
    EventFactory(organisers=[org], capacity=2, attendance_mode="online", join_url="https://…")
    RegistrationFactory(event=e, user=u)              # a seat
    NewsArticleFactory(title="…", language="fr")      # a published article with its original text
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from citypeers.accounts.tests.factories import UserFactory
from citypeers.directory.models import ActorType
from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.learning.models import (
    AttendanceMode,
    Community,
    CommunityKind,
    Event,
    EventKind,
    EventStatus,
    Follow,
    LearningNote,
    NewsArticle,
    NewsStatus,
    NewsText,
    Registration,
    RegistrationStatus,
    Reply,
    Thread,
)


class EventFactory(DjangoModelFactory[Event]):
    """A published, public, on-site workshop in a week, two hours long, in Paris time."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "Peers compare notes."
    description = "A **workshop** between peers."
    kind = EventKind.WORKSHOP
    status = EventStatus.PUBLISHED
    attendance_mode = AttendanceMode.ONSITE
    venue = "Town hall"
    time_zone = "Europe/Paris"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != EventStatus.DRAFT else None
    )
    languages = factory.LazyFunction(lambda: ["en"])

    @factory.post_generation
    def organisers(self, create: bool, extracted, **kwargs) -> None:
        if not create:
            return
        self.organisers.set(extracted if extracted else [OrganisationFactory()])

    @factory.post_generation
    def themes(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def sdgs(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.sdgs.set(extracted)


class RegistrationFactory(DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.REGISTERED
    requested_at = factory.LazyFunction(timezone.now)
    registered_at = factory.LazyAttribute(
        lambda o: o.requested_at if o.status == RegistrationStatus.REGISTERED else None
    )


class LearningNoteFactory(DjangoModelFactory[LearningNote]):
    class Meta:
        model = LearningNote

    event = factory.SubFactory(
        EventFactory,
        starts_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2)),
    )
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Note {n}")
    shared = "Kisumu showed its **kiosk** model."
    shared_by = "Kisumu water office"
    will_try = "Dakar will try two kiosks."
    follow_ups = "A call in three months."


class NewsArticleFactory(DjangoModelFactory[NewsArticle]):
    """A published article with its original text (``title``, ``summary``, ``body``,
    ``language``)."""

    class Meta:
        model = NewsArticle
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"News {n}")
    summary = "Something happened."
    body = "It was *good*."
    language = "en"

    slug = factory.Sequence(lambda n: f"news-{n}")
    status = NewsStatus.PUBLISHED
    original_language = factory.SelfAttribute("language")
    created_by = factory.SubFactory(UserFactory)
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == NewsStatus.PUBLISHED else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        texts = {name: kwargs.pop(name) for name in ("title", "summary", "body")}
        language = kwargs.pop("language")
        article = super()._create(model_class, *args, **kwargs)
        NewsText.objects.create(article=article, language=language, is_original=True, **texts)
        return article

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        for name in ("title", "summary", "body", "language"):
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)

    @factory.post_generation
    def themes(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def organisations(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.organisations.set(extracted)


# Discussions and follows


def theme_community(slug: str = "water-sanitation") -> Community:
    """The community of a theme (made as the communities page makes it)."""
    from citypeers.learning import discussions

    discussions.theme_communities_ensure()
    return Community.objects.get(theme__slug=slug)


class NetworkCommunityFactory(DjangoModelFactory[Community]):
    class Meta:
        model = Community

    kind = CommunityKind.NETWORK
    organisation = factory.SubFactory(OrganisationFactory, actor_type=ActorType.NETWORK)
    slug = factory.Sequence(lambda n: f"network-community-{n}")


class ThreadFactory(DjangoModelFactory[Thread]):
    class Meta:
        model = Thread

    community = factory.LazyFunction(theme_community)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    body = "How did you *finance* the kiosks?"
    language = "en"


class ReplyFactory(DjangoModelFactory[Reply]):
    class Meta:
        model = Reply

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "With a **revolving fund**."


class FollowFactory(DjangoModelFactory[Follow]):
    """``FollowFactory(user=u, theme=t)`` — give exactly one target."""

    class Meta:
        model = Follow

    user = factory.SubFactory(UserFactory)
