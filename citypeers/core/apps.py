from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "citypeers.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import pagecache

        # Every process (web, task worker, command) tells the page cache about its writes.
        connection_created.connect(pagecache.install, dispatch_uid="citypeers-pagecache")
