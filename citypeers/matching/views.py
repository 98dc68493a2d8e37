"""The "Find peers" pages: peers of an organisation (mode tabs, filters, reasons), and peers and
practices for a challenge stated in free text.

Each view parses its form, asks the engine once, and renders the page, or only the results
fragment (``_peer_results.html``, ``_challenge_results.html``) for the form's htmx requests.
The engine's rule errors (a Northern organisation asking for South–South peers, …) are shown on
the page next to the results, as the reason nothing is listed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from citypeers.core.errors import ApplicationError
from citypeers.core.htmx import is_htmx
from citypeers.directory import selectors as directory_selectors

from . import engine, peers
from .peer_forms import ChallengeForm, OrganisationPeersForm, mode_help, mode_labels


def _fragment_only(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return is_htmx(request) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def _tabs(query: QueryDict, current: str) -> list[dict[str, Any]]:
    help_texts = mode_help()
    tabs = []
    for mode, label in mode_labels().items():
        q = query.copy()
        q.setlist("mode", [mode])
        tabs.append(
            {
                "mode": mode,
                "label": label,
                "help": help_texts[mode],
                "query": f"?{q.urlencode()}",
                "current": mode == current,
            }
        )
    return tabs


def _render(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    response = render(request, fragment if _fragment_only(request) else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def organisation_peers(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = directory_selectors.organisation_get(slug=slug)
    pair_ids = engine.southern_partners(organisation.pk)
    pair_orgs = peers.organisations_in_bulk(pair_ids)
    form = OrganisationPeersForm(
        request.GET or None,
        pair_choices=[(pk, pair_orgs[pk].name) for pk in pair_ids if pk in pair_orgs],
    )
    valid = form.is_valid() if request.GET else True
    mode = form.chosen_mode() if request.GET else "peers"
    items: list[peers.PeerItem] = []
    excluded: list[peers.PeerItem] = []
    problem = ""
    if valid or request.GET:
        try:
            suggestions = engine.suggest_for_organisation(
                organisation.pk,
                mode=mode,
                k=form.chosen_k() if request.GET else 10,
                filters=form.filters() if request.GET else engine.MatchFilters(),
                pair_with=form.cleaned_data.get("pair_with") if request.GET and valid else None,
                include_excluded=True,
            )
        except ApplicationError as exc:
            problem = exc.message
        else:
            listed = peers.peer_items(suggestions)
            items = [i for i in listed if not i.suggestion.excluded]
            excluded = [i for i in listed if i.suggestion.excluded]
    context = {
        "organisation": organisation,
        "form": form,
        "mode": mode,
        "tabs": _tabs(request.GET, mode),
        "items": items,
        "excluded": excluded,
        "problem": problem,
    }
    return _render(
        request, "matching/organisation_peers.html", "matching/_peer_results.html", context
    )


@require_GET
def challenge(request: HttpRequest) -> HttpResponse:
    user = request.user
    requester_choices: list[tuple[int, str]] = []
    if user.is_authenticated:
        requester_choices = sorted(
            {
                (r.organisation.pk, r.organisation.name)
                for r in directory_selectors.organisations_of_user(user_id=user.pk)
            },
            key=lambda c: c[1],
        )
    form = ChallengeForm(request.GET or None, requester_choices=requester_choices)
    items: list[peers.PeerItem] = []
    practices: list[peers.PracticeItem] = []
    problem = ""
    asked = bool(request.GET and form.is_valid() and form.text())
    mode = form.chosen_mode() if request.GET else "peers"
    if asked:
        try:
            result = engine.suggest_for_challenge(
                form.text(),
                mode=mode,
                k=form.chosen_k(),
                filters=form.filters(),
                requester_id=form.cleaned_data.get("requester"),
            )
        except ApplicationError as exc:
            problem = exc.message
        else:
            items = peers.peer_items(result.peers)
            practices = peers.practice_items(result.practices)
    context = {
        "form": form,
        "mode": mode,
        "asked": asked,
        "items": items,
        "practices": practices,
        "problem": problem,
    }
    return _render(request, "matching/challenge.html", "matching/_challenge_results.html", context)
