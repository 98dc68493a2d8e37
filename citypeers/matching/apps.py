from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "citypeers.matching"
    label = "matching"
    verbose_name = _("Peer matching")

    def ready(self) -> None:
        # The engine's snapshot is a cache of the directory, the partnerships and the practices:
        # their services' callback lists tell it when to rebuild, and queue the encoding of new
        # texts (ids only, on commit), so the next rebuild finds their vectors ready.
        from citypeers.directory import services as directory_services
        from citypeers.knowledge import services as knowledge_services
        from citypeers.partnerships import services as partnership_services

        from . import tasks

        for registry, callback in (
            (directory_services.AFTER_SAVED, tasks.organisation_changed),
            (partnership_services.AFTER_SAVED, tasks.partnership_changed),
            (knowledge_services.AFTER_TEXT_SAVED, tasks.practice_changed),
        ):
            if callback not in registry:
                registry.append(callback)
