"""The insights pages over HTTP: the dashboards read only stored figures (bounded queries, no
query on a domain table), every chart has a table and a CSV, the map page and its fallback table,
the refresh command and task."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citypeers.directory.tests.factories import OrganisationFactory
from citypeers.insights import services
from citypeers.insights.models import Figure, RefreshRun
from citypeers.insights.tasks import refresh_insights
from citypeers.partnerships.models import Partnership
from citypeers.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
DOMAIN_TABLES = re.compile(
    r'"(partnerships_\w+|directory_\w+|knowledge_\w+|learning_\w+|places_city)"'
)


def plain(response) -> str:
    page = response.content.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def test_dashboard_before_any_refresh(client, db):
    response = client.get("/en/insights/")
    assert response.status_code == 200
    assert "have not been computed yet" in plain(response)


def test_dashboard_reads_only_stored_figures(client, net, django_assert_max_num_queries):
    services.insights_refresh()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/insights/")
    assert response.status_code == 200
    touched = {
        m.group(1) for q in queries.captured_queries for m in DOMAIN_TABLES.finditer(q["sql"])
    }
    assert touched == set(), f"the dashboard read domain tables: {touched}"
    small = len(queries.captured_queries)
    # Twenty more partnerships and forty organisations: the same number of queries.
    for _ in range(20):
        PartnershipFactory(members=[OrganisationFactory(), OrganisationFactory()])
    services.insights_refresh()
    with django_assert_max_num_queries(small):
        response = client.get("/en/insights/")
    assert response.status_code == 200
    assert small <= 12


def test_dashboard_shows_the_figures(client, net):
    services.insights_refresh()
    page = plain(client.get("/en/insights/"))
    assert "Figures computed on" in page
    assert "Partnerships by geography" in page
    assert "Most connected actors per region" in page
    assert "Dakar" in page
    # The synergy between Paris and Lyon, with its link into matching.
    html = client.get("/en/insights/").content.decode()
    assert "/en/peers/organisations/" in html and "Suggest a connection" in html
    # Each chart has an SVG, a table and a CSV link.
    assert html.count('<svg class="chart-svg"') >= 4
    assert html.count("Download CSV") >= html.count('<svg class="chart-svg"')


def test_chart_csv_matches_the_database(client, net):
    services.insights_refresh()
    response = client.get("/en/insights/charts/geography.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Geography", "partnerships"]
    counts = {label: float(n) for label, n in rows[1:]}
    assert (
        counts["South–South"]
        == Partnership.objects.visible().filter(geography="south_south").count()
    )
    assert counts["Triangular"] == 1
    assert client.get("/en/insights/charts/nope.csv").status_code == 404


def test_theme_dashboard(client, net):
    services.insights_refresh()
    response = client.get("/en/insights/themes/water-sanitation/")
    assert response.status_code == 200
    page = plain(response)
    assert "Water and sanitation" in page
    assert "Synergies on this theme" in page and "Paris" in page
    csv_response = client.get("/en/insights/themes/water-sanitation/charts/regions.csv")
    assert csv_response.status_code == 200
    assert client.get("/en/insights/themes/no-such-theme/").status_code == 404


def test_organisation_dashboard(client, net):
    services.insights_refresh()
    response = client.get(f"/en/insights/organisations/{net.dakar.slug}/")
    assert response.status_code == 200
    page = plain(response)
    assert "Partners by region" in page and "Europe" in page
    assert "Partnerships, activities and results over time" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    f"/en/insights/organisations/{net.dakar.slug}/charts/partners-by-region.csv"
                ).content.decode()
            )
        )
    )
    assert dict(rows[1:])["Europe"] == "1.0"
    assert client.get("/en/insights/organisations/nobody/").status_code == 404
    # An organisation outside the network has a page that says so.
    loner = OrganisationFactory()
    assert "no partnership or membership" in plain(
        client.get(f"/en/insights/organisations/{loner.slug}/")
    )


def test_map_page_and_fallback_table(client, net):
    services.insights_refresh()
    response = client.get("/en/insights/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-atlas="/static/vendor/world-atlas/countries-110m.json"' in html
    assert 'src="/static/insights/map.js"' in html
    assert "<script>" not in html  # no inline script (CSP)
    page = plain(response)
    assert "Senegal" in page and "Brazil" in page
    # Filters apply to the table: South–South only leaves France out of the partnerships.
    filtered = client.get("/en/insights/map/?geography=south_south")
    table = filtered.content.decode().split('id="chart-countries"')[1]
    row = re.search(r"France</th>(.*?)</tr>", table, re.S)
    assert row is not None and re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[0] == "0"
    bad = client.get("/en/insights/map/?year_from=1800")
    assert bad.status_code == 400
    csv_response = client.get("/en/insights/map/countries.csv?geography=south_south")
    rows = {r[0]: r for r in csv.reader(io.StringIO(csv_response.content.decode()))}
    assert rows["Senegal"][1] == "1.0"


def test_map_page_in_french(client, net):
    services.insights_refresh()
    response = client.get("/fr/insights/map/")
    assert response.status_code == 200
    assert "Sénégal" in plain(response)


def test_command_is_safe_to_run_twice(net, capsys):
    call_command("insights-refresh")
    first = Figure.objects.count()
    call_command("insights-refresh")
    assert Figure.objects.count() == first
    out = capsys.readouterr().out
    assert out.count("Insights refreshed") == 2
    RefreshRun.objects.create(state="running", started_at=timezone.now())
    call_command("insights-refresh")
    assert "nothing done" in capsys.readouterr().out


def test_task_runs_the_refresh(net):
    result = refresh_insights.enqueue()
    assert result.return_value["state"] == "finished"
    assert result.return_value["rows"]["figures"] == Figure.objects.count() > 0
