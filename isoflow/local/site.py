"""The site the browser opens at `/`: the dashboard's build (web/dist) with its `/config.json`, as CloudFront
serves it from S3, or a page of the API's links while there is no build."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

DEFAULT_BUILD = Path(__file__).resolve().parents[2] / "web" / "dist"
API_LINKS = ("/api/health", "/api/accounts", "/api/transactions", "/api/docs", "/api/openapi.json")
# The page and its configuration change with every build and deployment; hashed assets are safe to cache.
NO_CACHE = {"Cache-Control": "no-cache"}


def links_page() -> str:
    items = "\n".join(f'    <li><a href="{link}">{html.escape(link)}</a></li>' for link in API_LINKS)
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Isoflow (local)</title></head>
<body>
  <h1>Isoflow</h1>
  <p>The dashboard has not been built; the API is running:</p>
  <ul>
{items}
  </ul>
</body>
</html>
"""


class Site:
    """WSGI: `/config.json` from `config`; files from `build` with index.html for every other path (the
    dashboard routes in the browser); without a build, the links page at `/`."""

    def __init__(self, config: dict[str, Any], build: Path = DEFAULT_BUILD) -> None:
        self.config = config
        self.build = build

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.answer(Request(environ))(environ, start_response)

    def answer(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed", status=405, headers={"Allow": "GET, HEAD"})
        if request.path == "/config.json":
            return Response(json.dumps(self.config), content_type="application/json", headers=NO_CACHE)
        if not (self.build / "index.html").is_file():
            if request.path in ("/", "/index.html"):
                return Response(links_page(), content_type="text/html; charset=utf-8")
            return Response("Not Found", status=404, content_type="text/plain")
        path = request.path.lstrip("/")
        if path and (self.build / path).is_file():
            try:
                return send_from_directory(self.build, path, request.environ)
            except NotFound:
                # A path that escapes the build directory.
                return Response("Not Found", status=404, content_type="text/plain")
        response = send_from_directory(self.build, "index.html", request.environ)
        response.headers.update(NO_CACHE)
        return response
