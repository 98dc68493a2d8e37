"""RSS 2.0 and Atom feeds of published news.

``/<lang>/learning/news/feed/rss/`` and ``…/feed/atom/``; a theme narrows a feed, by path
(``…/feed/rss/<theme-slug>/``) or by ``?theme=<slug>``; ``?language=<code>`` keeps the articles
available in that language. Titles and summaries are in the feed's language (the URL's prefix)
where a translation exists, the original otherwise; summaries are plain text, escaped as HTML, so
no markup from an author reaches a feed reader as markup (as in ``citypeers.knowledge.feeds``).
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
from citypeers.knowledge.markdown import plain

from . import selectors
from .models import NewsArticle

FEED_SIZE = 50
Item = tuple[NewsArticle, str]


class NewsRss(Feed):
    """Published news, newest first."""

    feed_type: type[SyndicationFeed] = SafeRss201rev2Feed

    def get_object(self, request: HttpRequest, theme: str = "") -> dict[str, Any]:
        slug = theme or request.GET.get("theme", "")
        found: Theme | None = None
        if slug:
            found = directory_selectors.theme_list().filter(slug=slug).first()
            if found is None:
                raise Http404(_("No theme %(slug)r.") % {"slug": slug})
        language = request.GET.get("language", "").strip().lower()[:8]
        shown = (get_language() or "en").split("-")[0].lower()
        return {"theme": found, "language": language, "shown": shown}

    def title(self, obj: dict[str, Any]) -> str:
        if obj["theme"] is not None:
            return _("CityPeers: news on %(theme)s") % {"theme": obj["theme"].label}
        return _("CityPeers: news")

    def link(self, obj: dict[str, Any]) -> str:
        return str(reverse("learning:news-list"))

    def description(self, obj: dict[str, Any]) -> str:
        return _("News of decentralised cooperation and peer learning.")

    def subtitle(self, obj: dict[str, Any]) -> str:
        return self.description(obj)

    def items(self, obj: dict[str, Any]) -> list[Item]:
        filters = selectors.NewsFilters(
            theme=obj["theme"].slug if obj["theme"] is not None else "",
            language=obj["language"],
        )
        articles = selectors.news_list(filters)[:FEED_SIZE]
        return [(a, obj["shown"]) for a in articles]

    def item_title(self, item: Item) -> str:
        article, language = item
        text = article.text_in(language)
        return text.title if text else article.slug

    def item_description(self, item: Item) -> str:
        article, language = item
        text = article.text_in(language)
        summary = (text.summary or plain(text.body, 400)) if text else ""
        return html.escape(plain(summary, 600), quote=False)

    def item_link(self, item: Item) -> str:
        return item[0].get_absolute_url()

    def item_guid(self, item: Item) -> str:
        return f"citypeers:news:{item[0].pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Item) -> dt.datetime | None:
        return item[0].published_at

    def item_updateddate(self, item: Item) -> dt.datetime | None:
        return item[0].updated_at

    def item_categories(self, item: Item) -> list[str]:
        return [t.label for t in item[0].themes.all()]


class NewsAtom(NewsRss):
    feed_type = SafeAtom1Feed
