"""Static files: what ``collectstatic`` leaves out of the npm packages we serve from.

world-atlas ships its maps at three scales and as land-only shapes (about 7 MB in all); the
insights map draws ``countries-110m.json`` alone, so the others are not collected.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        "countries-10m.json",
        "countries-50m.json",
        "land-*.json",
    ]
