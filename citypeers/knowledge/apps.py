from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "citypeers.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        # Follow-up work on a saved text is queued as a task after the commit; the services only
        # know the callback list, not the tasks (see services.AFTER_TEXT_SAVED).
        from . import services, tasks

        if tasks.enqueue_sdg_suggestions not in services.AFTER_TEXT_SAVED:
            services.AFTER_TEXT_SAVED.append(tasks.enqueue_sdg_suggestions)
