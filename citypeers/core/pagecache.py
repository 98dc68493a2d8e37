"""A whole-page cache for anonymous visitors of the public read pages, cleared by any write.

Why not Django's ``cache_page`` / ``UpdateCacheMiddleware``: every page varies on ``Cookie`` (the
header reads the session to know who is signed in), so Django's cache would key each page on the
visitor's whole ``Cookie`` header — a visitor carrying a ``csrftoken`` cookie would never share an
entry — and it would have to be cleared by hand after each write. This cache is narrower and sure:

**What is cached.** Only ``GET`` requests for the views named in :data:`CACHED_VIEWS` (read pages
that show the same thing to every anonymous visitor), under a language prefix (``/fr/…``), not an
htmx request, without an ``Authorization`` header, and carrying no cookie other than
``csrftoken`` and the language cookie: a request with a session cookie (every signed-in user)
or a messages cookie is never served from the cache and never stored. A response is stored only
when it is a 200, sets no cookie (so a page that rendered a CSRF token — which sets the
``csrftoken`` cookie — or touched the session or the messages is never stored and can never hand
one visitor's token or message to another), is not marked private / ``no-store`` / ``no-cache``,
and varies on nothing but ``Cookie`` (the cookies that matter are excluded above) and htmx's
``HX-*`` headers (requests carrying any of them are excluded). The key is scheme, host, language
and full path with its query string: languages never mix, each query string is its own entry.

**Invalidation on write.** Every write statement that reaches the database through Django — ORM
saves and deletes, bulk creates and updates, raw SQL, in web processes, task workers and commands
alike — sets a new *content version* in the shared cache once its transaction commits (a database
execute wrapper, installed on every connection: see :func:`install`). Entries carry the version
they were computed under and are served only while it is current. A page computed while a write
commits is tagged with the version read *before* it was computed, so no process serves it once
it has the new version. Writes to tables that no public page shows (sessions, login attempts, the
audit log, notifications, scheduler bookkeeping: :data:`IGNORED_TABLES`) do not change the
version.

**How soon.** The process that committed the write sees the new version at once. Every other
process keeps a copy of the version and reads the shared one again once its copy is
``CITYPEERS_PAGE_CACHE_CHECK_SECONDS`` old (default 1; 0 reads it on every request): a published
practice or a new partnership reaches every anonymous visitor at most that long after the commit.
Entries also expire after ``CITYPEERS_PAGE_CACHE_SECONDS`` (default 300): the bound for what no
write announces (the clock; a version change lost while Redis was down).

**Where it is on.** Only with a cache shared by every process (Redis, the production profile):
with the per-process local-memory cache of the embedded profile, one gunicorn worker could not
tell the others about a write, so the page cache stays off there (and in the test settings).
``CITYPEERS_PAGE_CACHE = True`` / ``False`` in the settings forces it on or off.

Each process also keeps the pages it served last (:data:`LOCAL_PAGES`), so a hit usually costs
no round trip at all, and otherwise one (the page from the shared cache, stored there by whichever
process computed it). A hit answers before the session, CSRF, authentication and messages
middleware run. Responses of the cached views say ``X-Page-Cache: hit`` or ``miss`` (stored now).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeGuard

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation

#: The views whose pages are the same for every anonymous visitor (namespace:name).
CACHED_VIEWS = frozenset(
    {
        "core:home",
        "core:about-data",
        "directory:list",
        "directory:organisation",
        "knowledge:list",
        "knowledge:detail",
        "partnerships:list",
        "partnerships:detail",
        "search:search",
        "insights:dashboard",
    }
)
#: Writes to these tables change nothing an anonymous page shows: they do not clear the cache.
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
        "accounts_auditevent",
        "accounts_auditeventorganisation",
        "notifications_notification",
        "core_scheduledrun",
        "core_pendingtask",
    }
)
VERSION_KEY = "pagecache:version"
DEFAULT_SECONDS = 300
DEFAULT_CHECK_SECONDS = 1.0
LOCAL_PAGES = 256
#: (content version, expires at (epoch seconds), status, headers, zlib-compressed body)
Entry = tuple[str, float, int, list[tuple[str, str]], bytes]
MAX_QUERY_STRING = 1000
_COMMA = re.compile(r"\s*,\s*")
_WRITE = re.compile(
    r"""\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO|COPY)\s+
        (?:ONLY\s+)?["`]?([\w.]+)""",
    re.IGNORECASE | re.VERBOSE,
)
_WRITE_START = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "MERGE", "COPY")


def enabled() -> bool:
    forced = getattr(settings, "CITYPEERS_PAGE_CACHE", None)
    if forced is not None:
        return bool(forced)
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    return not backend.endswith(("LocMemCache", "DummyCache"))


def timeout() -> int:
    return int(getattr(settings, "CITYPEERS_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


# --- the content version -------------------------------------------------------------------------


def check_seconds() -> float:
    return float(getattr(settings, "CITYPEERS_PAGE_CACHE_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))


class _ProcessCopy:
    """This process's copy of the content version (read from the shared cache again once it is
    ``check_seconds()`` old) and of the pages it served last (an LRU of :data:`LOCAL_PAGES`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: str | None = None
        self.checked = 0.0
        self.pages: OrderedDict[str, Entry] = OrderedDict()

    def reset(self, version: str | None = None) -> None:
        with self.lock:
            self.version, self.checked = version, time.monotonic()
            self.pages.clear()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_PAGES:
                self.pages.popitem(last=False)


_process = _ProcessCopy()


def current_version() -> str:
    """The content version: this process's copy, or the shared one when the copy is too old."""
    if _process.version is not None and time.monotonic() - _process.checked < check_seconds():
        return _process.version
    version = cache.get(VERSION_KEY)
    if version is None:  # first use, or the cache was emptied: start a version
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY, version)
    if version != _process.version:
        _process.reset(version)
    else:
        _process.checked = time.monotonic()
    return str(version)


def bump() -> None:
    """Make every cached page stale (a new content version), here at once, elsewhere within
    ``check_seconds()``."""
    if enabled():
        version = uuid.uuid4().hex
        cache.set(VERSION_KEY, version, None)
        _process.reset(version)


@receiver(setting_changed)
def _forget_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES" or setting.startswith("CITYPEERS_PAGE_CACHE"):
        _process.reset()


class _PendingBump:
    """The bump queued for the current transaction of one connection (at most one at a time)."""

    def __init__(self, hooks: list[Any]) -> None:
        self.hooks = hooks  # the connection's on_commit list it was queued in
        self.done = False

    def __call__(self) -> None:
        self.done = True
        bump()


def _writes_shown_data(sql: str) -> bool:
    if not sql.lstrip()[:8].upper().startswith(_WRITE_START):
        return False
    match = _WRITE.match(sql)
    if match is None:  # a write we cannot read the table of: count it
        return True
    return match.group(1).split(".")[-1].lower() not in IGNORED_TABLES


def _write_watcher(alias: str) -> Callable[..., Any]:
    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and _writes_shown_data(sql):
            connection = context["connection"]
            # One bump per transaction, after its commit (at once in autocommit). A rollback
            # drops it with the other on_commit callbacks and gives the connection a new list,
            # so the next write queues a bump again.
            pending = getattr(connection, "_pagecache_bump", None)
            if pending is None or pending.done or pending.hooks is not connection.run_on_commit:
                pending = _PendingBump(connection.run_on_commit)
                connection._pagecache_bump = pending
                transaction.on_commit(pending, using=alias)
        return result

    watch.pagecache = True  # type: ignore[attr-defined]
    return watch


def install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: watch this connection's writes (once per connection)."""
    if not any(getattr(w, "pagecache", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_write_watcher(connection.alias))


# --- the middleware ------------------------------------------------------------------------------


def _language_and_view(request: HttpRequest) -> tuple[str, str] | None:
    language = translation.get_language_from_path(request.path_info)
    if not language:
        return None
    with translation.override(language):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return language, match.view_name


def _eligible(request: HttpRequest) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if any(name.startswith("HTTP_HX_") for name in request.META):  # htmx: fragments, boosts
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return False
    harmless = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return all(name in harmless for name in request.COOKIES)


def _key(request: HttpRequest, language: str) -> str | None:
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let Django answer it
        return None
    address = f"{request.scheme}://{host}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"pagecache:page:{language}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in _COMMA.split(response.get("Vary", "")) if v.strip()}
    # Cookie: the cookies that change a page make a request ineligible; HX-*: htmx requests are.
    if any(v != "cookie" and not v.startswith("hx-") for v in vary):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PageCacheMiddleware:
    """Serve and store anonymous pages of :data:`CACHED_VIEWS` (see the module docstring).

    Placed after ``SecurityMiddleware`` and WhiteNoise and before the session middleware, so a
    hit skips sessions, CSRF, authentication and messages, and a stored page carries every header
    the inner middleware added (CSP, X-Frame-Options, Content-Language, Vary).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not _eligible(request):
            return self.get_response(request)
        found = _language_and_view(request)
        if found is None or found[1] not in CACHED_VIEWS:
            return self.get_response(request)
        key = _key(request, found[0])
        if key is None:
            return self.get_response(request)

        version = current_version()
        entry = _process.get(key)
        if not _current(entry, version):
            entry = cache.get(key)
            if _current(entry, version):
                _process.put(key, entry)
        if _current(entry, version):
            return _rebuild(entry)

        response = self.get_response(request)
        if _storable(request, response):
            headers = [(k, v) for k, v in response.items() if k.lower() != "x-page-cache"]
            body = zlib.compress(response.content, 6)
            seconds = timeout()
            entry = (version, time.time() + seconds, response.status_code, headers, body)
            cache.set(key, entry, seconds)
            _process.put(key, entry)
            response["X-Page-Cache"] = "miss"
        return response


def _current(entry: Any, version: str) -> TypeGuard[Entry]:
    return entry is not None and entry[0] == version and entry[1] > time.time()


def _rebuild(entry: Entry) -> HttpResponse:
    _version, _expires, status, headers, body = entry
    response = HttpResponse(zlib.decompress(body), status=status)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response
