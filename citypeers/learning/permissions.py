"""Who may do what in the learning forum. Services call these; interfaces never decide on their own.

Events
- The editors and admins of any of an event's organisers (and platform moderators) edit it,
  publish it, cancel it, see its participants and mark attendance.
- Creating an event: a signed-in person who edits for at least one organisation; every event
  needs among its organisers at least one organisation its author edits for.
- A draft is seen by those who edit it. A published (or cancelled) public event is seen by all.
  A members-only event is seen by its editors and by the *members*: people with a role in one of
  the organisers, or in an organisation that is a current member of one of them (a city in the
  network that organises).
- Anyone who sees a published event may register (signed in), within the registration window.
- The join link is shown to the organisers' editors and the people holding a seat; an open online
  event (public, online only, no seat limit) shows it to all.

Learning notes: once the event has started, its editors and the people registered (not marked
absent) write notes; a note's author and the event's editors edit it; moderators too.

News: like practices (``citypeers.knowledge.permissions``): any signed-in person drafts; the author
and the editors of the organisation responsible edit, translate and submit; moderators — and,
when ``CITYPEERS_NEWS_PUBLISHERS`` is ``editors`` (the default), the editors of the organisation
responsible — publish.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from citypeers.accounts.models import OrganisationRole
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import ASSOCIATION_TYPES, Organisation

from .models import (
    Community,
    CommunityKind,
    Event,
    EventStatus,
    LearningNote,
    NewsArticle,
    NewsStatus,
    Registration,
    RegistrationStatus,
    Reply,
    Thread,
    Visibility,
)

is_signed_in = directory_permissions.is_signed_in
is_platform_moderator = directory_permissions.is_platform_moderator


def _organiser_ids(event: Event) -> list[int]:
    return [o.pk for o in event.organisers.all()]


def edits_for_any(user: Any) -> bool:
    """Whether the user edits for at least one organisation (or moderates the platform)."""
    if is_platform_moderator(user):
        return True
    if not is_signed_in(user):
        return False
    return OrganisationRole.objects.filter(
        user=user, role__in=directory_permissions.EDIT_ROLES
    ).exists()


def can_create_event(user: Any) -> bool:
    return edits_for_any(user)


def can_edit_event(user: Any, event: Event) -> bool:
    if is_platform_moderator(user):
        return True
    if not is_signed_in(user) or event.pk is None:
        return False
    return any(directory_permissions.can_edit(user, o) for o in event.organisers.all())


def is_member(user: Any, event: Event) -> bool:
    """A role in an organiser, or in an organisation that is a current member of one."""
    if not is_signed_in(user) or event.pk is None:
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_event_member", {})
    if event.pk not in cache:
        ids = _organiser_ids(event)
        today = dt.date.today()
        cache[event.pk] = (
            OrganisationRole.objects.filter(user=user)
            .filter(
                Q(organisation_id__in=ids)
                | Q(
                    Q(organisation__memberships__parent_id__in=ids),
                    Q(organisation__memberships__end_date__isnull=True)
                    | Q(organisation__memberships__end_date__gte=today),
                )
            )
            .exists()
        )
    return cache[event.pk]


def can_view_event(user: Any, event: Event) -> bool:
    if event.status == EventStatus.DRAFT:
        return can_edit_event(user, event)
    if event.visibility == Visibility.MEMBERS:
        return can_edit_event(user, event) or is_member(user, event)
    return True


def can_see_join_link(user: Any, event: Event, registration: Registration | None) -> bool:
    if not event.join_url or not event.is_online:
        return False
    if event.join_link_is_public:
        return True
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        return True
    return can_edit_event(user, event)


def can_write_note(user: Any, event: Event, registration: Registration | None) -> bool:
    if not is_signed_in(user) or event.status != EventStatus.PUBLISHED:
        return False
    if event.starts_at > timezone.now():
        return False
    if can_edit_event(user, event):
        return True
    return (
        registration is not None
        and registration.user_id == user.pk
        and registration.status == RegistrationStatus.REGISTERED
        and registration.attended is not False
    )


def can_edit_note(user: Any, note: LearningNote) -> bool:
    if not is_signed_in(user):
        return False
    return note.author_id == user.pk or can_edit_event(user, note.event)


# News


def _is_news_author(user: Any, article: NewsArticle) -> bool:
    return is_signed_in(user) and article.created_by_id == user.pk


def _edits_for_owner(user: Any, article: NewsArticle) -> bool:
    return article.owner is not None and directory_permissions.can_edit(user, article.owner)


def can_view_news(user: Any, article: NewsArticle) -> bool:
    if article.status == NewsStatus.PUBLISHED:
        return True
    return can_edit_news(user, article)


def can_create_news(user: Any) -> bool:
    return is_signed_in(user)


def can_edit_news(user: Any, article: NewsArticle) -> bool:
    return (
        is_platform_moderator(user)
        or _is_news_author(user, article)
        or _edits_for_owner(user, article)
    )


def can_publish_news(user: Any, article: NewsArticle) -> bool:
    if is_platform_moderator(user):
        return True
    publishers = getattr(settings, "CITYPEERS_NEWS_PUBLISHERS", "editors")
    return publishers == "editors" and _edits_for_owner(user, article)


def can_delete_news(user: Any, article: NewsArticle) -> bool:
    return is_platform_moderator(user)


# Discussions
#
# - Anyone reads a community and its visible threads and replies.
# - Signed-in people who are not banned post in a theme's community; in a network's community,
#   the network's members post: people with a role in the network, or in an organisation that is
#   a current member of it (and platform moderators).
# - Moderators of a community: platform moderators, and for a network's community the editors and
#   admins of the network. They hide and show, lock and unlock, and handle its reports.
# - A hidden thread or reply is seen only by its author and the community's moderators.
# - A locked thread takes no more replies (its moderators may still answer).
# - The thread's author, and its moderators, mark a reply helpful.
# - Only platform moderators ban people from the discussions (never another moderator).


def is_network_member(user: Any, organisation: Organisation) -> bool:
    """A role in the network, or in an organisation that is a current member of it."""
    if not is_signed_in(user) or organisation.pk is None:
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_network_member", {})
    if organisation.pk not in cache:
        today = dt.date.today()
        cache[organisation.pk] = (
            OrganisationRole.objects.filter(user=user)
            .filter(
                Q(organisation_id=organisation.pk)
                | Q(
                    Q(organisation__memberships__parent_id=organisation.pk),
                    Q(organisation__memberships__end_date__isnull=True)
                    | Q(organisation__memberships__end_date__gte=today),
                )
            )
            .exists()
        )
    return cache[organisation.pk]


def can_open_network_community(user: Any, organisation: Organisation) -> bool:
    return organisation.actor_type in ASSOCIATION_TYPES and directory_permissions.can_edit(
        user, organisation
    )


def can_post_in(user: Any, community: Community) -> bool:
    if not is_signed_in(user):
        return False
    if community.kind == CommunityKind.THEME or is_platform_moderator(user):
        return True
    organisation = community.organisation
    return organisation is not None and (
        is_network_member(user, organisation) or directory_permissions.can_edit(user, organisation)
    )


def can_moderate(user: Any, community: Community) -> bool:
    if is_platform_moderator(user):
        return True
    return (
        community.kind == CommunityKind.NETWORK
        and community.organisation is not None
        and directory_permissions.can_edit(user, community.organisation)
    )


def can_view_thread(user: Any, thread: Thread) -> bool:
    if not thread.is_hidden:
        return True
    if is_signed_in(user) and thread.author_id == user.pk:
        return True
    return can_moderate(user, thread.community)


def can_view_reply(user: Any, reply: Reply, thread: Thread) -> bool:
    if not reply.is_hidden:
        return True
    if is_signed_in(user) and reply.author_id == user.pk:
        return True
    return can_moderate(user, thread.community)


def can_reply(user: Any, thread: Thread) -> bool:
    if thread.is_hidden or not can_post_in(user, thread.community):
        return False
    return not thread.is_locked or can_moderate(user, thread.community)


def can_mark_helpful(user: Any, thread: Thread) -> bool:
    if not is_signed_in(user):
        return False
    return thread.author_id == user.pk or can_moderate(user, thread.community)


def can_ban(user: Any, target: Any) -> bool:
    return is_platform_moderator(user) and not is_platform_moderator(target)


def can_see_queue(user: Any) -> bool:
    """The moderator queue: platform moderators, and editors of a network with a community."""
    if is_platform_moderator(user):
        return True
    if not is_signed_in(user):
        return False
    return OrganisationRole.objects.filter(
        user=user,
        role__in=directory_permissions.EDIT_ROLES,
        organisation__community__isnull=False,
    ).exists()
