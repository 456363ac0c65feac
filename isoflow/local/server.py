"""A WSGI app served by werkzeug on a background thread (one thread per request)."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """The apps log their own requests as JSON; werkzeug's plain access lines would only duplicate them."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class BackgroundServer:
    """Serves `app` on host:port from a daemon thread; port 0 binds a free port (read it from `.port`)."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        request_handler: type[WSGIRequestHandler] = QuietRequestHandler,
    ) -> None:
        self._server = make_server(host, port, app, threaded=True, request_handler=request_handler)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"http-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
