"""RSS 2.0 and Atom feeds of newly published practices.

``/<lang>/practices/feed/rss/`` and ``/<lang>/practices/feed/atom/``; a theme narrows a feed, by
path (``…/feed/rss/<theme-slug>/``) or by ``?theme=<slug>``; ``?language=<code>`` keeps the
practices available in that language. Titles and summaries are in the feed's language (the URL's
prefix) where a translation exists, the original otherwise; summaries are plain text
(``knowledge.markdown.plain``), escaped as HTML, so no markup from an author reaches a feed
reader as markup.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citypeers.core.feeds import SafeAtom1Feed, SafeRss201rev2Feed
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import Theme

from . import selectors
from .markdown import plain
from .models import Practice

FEED_SIZE = 50


class PracticesRss(Feed):
    """Newly published practices, newest first."""

    feed_type: type[SyndicationFeed] = SafeRss201rev2Feed

    def get_object(self, request: HttpRequest, theme: str = "") -> dict[str, Any]:
        slug = theme or request.GET.get("theme", "")
        found: Theme | None = None
        if slug:
            found = next((t for t in directory_selectors.theme_list() if t.slug == slug), None)
            if found is None:
                raise Http404(_("No theme %(slug)r.") % {"slug": slug})
        language = request.GET.get("language", "").strip().lower()[:8]
        return {"theme": found, "language": language, "shown": _shown_language()}

    def title(self, obj: dict[str, Any]) -> str:
        if obj["theme"] is not None:
            return _("CityPeers: new practices on %(theme)s") % {"theme": obj["theme"].label}
        return _("CityPeers: new practices")

    def link(self, obj: dict[str, Any]) -> str:
        return str(reverse("knowledge:list"))

    def description(self, obj: dict[str, Any]) -> str:
        return _("Experiences newly shared by cities, regions and their associations.")

    def subtitle(self, obj: dict[str, Any]) -> str:
        return self.description(obj)

    def items(self, obj: dict[str, Any]) -> list[tuple[Practice, str]]:
        filters = selectors.PracticeFilters(
            theme=obj["theme"].slug if obj["theme"] is not None else "",
            language=obj["language"],
        )
        practices = selectors.practice_list(filters).order_by("-published_at", "-pk")
        return [(p, obj["shown"]) for p in practices[:FEED_SIZE]]

    def item_title(self, item: tuple[Practice, str]) -> str:
        practice, language = item
        text = practice.text_in(language)
        return text.title if text else practice.slug

    def item_description(self, item: tuple[Practice, str]) -> str:
        practice, language = item
        text = practice.text_in(language)
        # Readers treat an RSS description and an Atom summary as HTML: the plain text is
        # escaped, so a "<script>" an author typed is shown, never run.
        return html.escape(plain(text.summary if text else ""), quote=False)

    def item_link(self, item: tuple[Practice, str]) -> str:
        return item[0].get_absolute_url()

    def item_guid(self, item: tuple[Practice, str]) -> str:
        return f"citypeers:practice:{item[0].pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: tuple[Practice, str]) -> dt.datetime | None:
        return item[0].published_at

    def item_updateddate(self, item: tuple[Practice, str]) -> dt.datetime | None:
        return item[0].updated_at

    def item_categories(self, item: tuple[Practice, str]) -> list[str]:
        return [t.label for t in item[0].themes.all()]


class PracticesAtom(PracticesRss):
    feed_type = SafeAtom1Feed


def _shown_language() -> str:
    return (get_language() or "en").split("-")[0].lower()
