from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "citypeers.learning"
    label = "learning"
    verbose_name = _("Learning forum")

    def ready(self) -> None:
        # Followers hear of published practices and new organisations: the knowledge and
        # directory services call back after their commit; the callbacks only queue a task.
        from citypeers.directory import services as directory_services
        from citypeers.knowledge import services as knowledge_services

        from . import tasks

        for registry, callback in (
            (knowledge_services.AFTER_TEXT_SAVED, tasks.enqueue_practice_announcement),
            (directory_services.AFTER_SAVED, tasks.enqueue_organisation_announcement),
        ):
            if callback not in registry:
                registry.append(callback)
