from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "citypeers.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # The apps whose objects are searched know only their callback lists; the search app
        # registers its index-update tasks there (queued on commit, ids only).
        from citypeers.directory import services as directory_services
        from citypeers.knowledge import services as knowledge_services
        from citypeers.partnerships import services as partnership_services

        from . import tasks

        for registry, callback in (
            (knowledge_services.AFTER_TEXT_SAVED, tasks.enqueue_practice),
            (directory_services.AFTER_SAVED, tasks.enqueue_organisation),
            (partnership_services.AFTER_SAVED, tasks.enqueue_partnership),
        ):
            if callback not in registry:
                registry.append(callback)
