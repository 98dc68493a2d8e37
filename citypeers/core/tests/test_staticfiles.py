"""collectstatic takes what the pages use from the npm packages, and leaves the rest."""

from django.core.management import call_command


def test_collectstatic_keeps_the_map_it_draws_and_leaves_the_other_scales(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"

    call_command("collectstatic", interactive=False, verbosity=0)

    atlas = settings.STATIC_ROOT / "vendor" / "world-atlas"
    assert (atlas / "countries-110m.json").is_file()
    assert (atlas / "LICENSE").is_file()  # the licence travels with the data
    assert not list(atlas.glob("*-10m.json")) and not list(atlas.glob("*-50m.json"))
    assert (settings.STATIC_ROOT / "vendor" / "htmx" / "htmx.min.js").is_file()
