"""The site at `/`: the dashboard's build with its /config.json, or the API's links while there is no build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.test import Client

from isoflow.local.site import API_LINKS, Site

CONFIG = {"apiBaseUrl": "/api", "environment": "local"}


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<html>dashboard</html>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log('app')")
    (tmp_path.parent / "secret.txt").write_text("not for the browser")
    return tmp_path


def test_files_of_the_build_are_served(build):
    response = Client(Site(CONFIG, build)).get("/assets/app-1234.js")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "console.log('app')"
    assert "javascript" in response.content_type


@pytest.mark.parametrize("path", ["/", "/accounts/acc_0123456789abcdef", "/runs"])
def test_every_other_path_gets_the_dashboard_which_routes_in_the_browser(build, path):
    response = Client(Site(CONFIG, build)).get(path)

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<html>dashboard</html>"
    assert response.headers["Cache-Control"] == "no-cache"


def test_config_json_tells_the_dashboard_where_the_api_is(build):
    response = Client(Site(CONFIG, build)).get("/config.json")

    assert response.status_code == 200
    assert json.loads(response.get_data()) == CONFIG


def test_nothing_outside_the_build_is_served(build):
    response = Client(Site(CONFIG, build)).get("/../secret.txt")

    assert response.status_code == 404
    assert "not for the browser" not in response.get_data(as_text=True)


def test_without_a_build_the_root_lists_the_api_links(tmp_path):
    response = Client(Site(CONFIG, tmp_path / "dist")).get("/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert all(f'href="{link}"' in page for link in API_LINKS)
    assert Client(Site(CONFIG, tmp_path / "dist")).get("/runs").status_code == 404


def test_the_site_is_read_only(build):
    assert Client(Site(CONFIG, build)).post("/").status_code == 405
