"""A real HTTP server on 127.0.0.1 that serves the demo's sample sites and feeds.

Static files, with one convention so that query-string pagination works from a
folder: a request for ``/path?page=2`` is answered with the file ``path@page=2.*``.
It runs in a background thread of the process that owns it (``lmis demo``, tests).
"""

from __future__ import annotations

import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def _handler_for(root: Path) -> type[BaseHTTPRequestHandler]:
    root = root.resolve()

    class SiteHandler(BaseHTTPRequestHandler):
        server_version = "LMISDemo/1.0"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass  # the crawler's own ledger records every request

        def _resolve(self) -> Path | None:
            parts = urlsplit(self.path)
            relative = unquote(parts.path).lstrip("/")
            base = (root / relative).resolve()
            if root not in base.parents and base != root:
                return None
            if parts.query:
                matches = sorted(base.parent.glob(f"{base.name}@{parts.query}.*"))
                return matches[0] if matches else None
            if base.is_dir():
                base = base / "index.html"
            return base if base.is_file() else None

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self._resolve()
            if path is None:
                self.send_error(404, "Not Found")
                return
            etag = f'"{path.stat().st_size:x}-{int(path.stat().st_mtime):x}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            body = path.read_bytes()
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype == "application/json":
                ctype += "; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return SiteHandler


class DemoServer:
    """``with DemoServer(root) as base_url:`` serves ``root`` on a free port."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), _handler_for(root))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> str:
        self._thread.start()
        return self.base_url

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
