"""Collected static files carry hashed names and are served as immutable for a year or more."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware


def test_hashed_static_files_are_served_immutable_with_a_long_max_age(tmp_path):
    source, root = tmp_path / "source", tmp_path / "static"
    (source / "citypeers").mkdir(parents=True)
    (source / "citypeers" / "site.css").write_text("body { color: #123; }\n" * 50)
    manifest = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(
        STATIC_ROOT=root,
        STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES=manifest,
        DEBUG=False,
    ):
        call_command("collectstatic", "--noinput", verbosity=0)
        hashed = next(p.name for p in (root / "citypeers").glob("site.*.css"))
        assert re.fullmatch(r"site\.[0-9a-f]{12}\.css", hashed)
        middleware = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
        factory = RequestFactory()

        versioned = middleware(factory.get(f"/static/citypeers/{hashed}"))
        plain = middleware(factory.get("/static/citypeers/site.css"))
        compressed = middleware(
            factory.get(f"/static/citypeers/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
        )

    assert versioned.status_code == 200
    assert "immutable" in versioned["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", versioned["Cache-Control"])[1])
    assert max_age >= 31536000
    assert "immutable" not in plain["Cache-Control"]  # an unhashed name may change
    assert compressed["Content-Encoding"] == "gzip"
