"""``serve``: build, serve OUT on 127.0.0.1, rebuild on change, reload open pages.

The server only ever reads files inside OUT (``SimpleHTTPRequestHandler`` resolves
each path inside its directory; anything that would leave it is a 404), binds to
the loopback address unless told otherwise, and adds one small script to HTML
responses on the fly so pages reload after a rebuild. The built files themselves
are never changed, so the served site is byte for byte what ``build`` writes.
Rebuilds go through the incremental cache, so an edit re-renders only what changed.
"""
from __future__ import annotations

import http.server
import os
import threading
import time
from functools import partial
from pathlib import Path
from typing import Callable

RELOAD_SCRIPT = b"""(function () {
  var seen = null;
  function poll() {
    fetch('/__build', {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { location.reload(); }
      seen = v;
    }).catch(function () {}).finally(function () { setTimeout(poll, 700); });
  }
  poll();
})();
"""
TAG = b'<script src="/__livereload.js"></script>'


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from OUT, plus /__build (the build counter) and /__livereload.js."""

    server_version = "compile-glossary"
    build_id: Callable[[], str] = staticmethod(lambda: "0")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the CLI prints rebuilds, not every request

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        route = self.path.split("?", 1)[0]
        if route == "/__build":
            return self._send(self.build_id().encode(), "text/plain; charset=utf-8")
        if route == "/__livereload.js":
            return self._send(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        root = Path(self.directory).resolve()
        real = path.resolve()
        if real != root and root not in real.parents:
            return self.send_error(404, "Not found")
        if real.suffix == ".html" and real.is_file():
            body = real.read_bytes()
            at = body.rfind(b"</body>")
            body = body[:at] + TAG + body[at:] if at >= 0 else body + TAG
            return self._send(body, "text/html; charset=utf-8")
        return super().do_GET()


def make_server(out: Path, host: str, port: int, build_id: Callable[[], str]) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (SiteHandler,), {"build_id": staticmethod(build_id)})
    server = http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(out)))
    server.daemon_threads = True
    return server


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under ``folders``: what the watcher compares."""
    stamps: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if folder.is_file():
            st = folder.stat()
            stamps[str(folder)] = (st.st_size, st.st_mtime_ns)
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
            for name in filenames:
                p = os.path.join(dirpath, name)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                stamps[p] = (st.st_size, st.st_mtime_ns)
    return stamps


class Watcher:
    """Polls the inputs and calls ``rebuild`` when any changed (polling: no extra dependency)."""

    def __init__(self, folders: list[Path], rebuild: Callable[[], None], interval: float = 0.5) -> None:
        self.folders, self.rebuild, self.interval = folders, rebuild, interval
        self.stop = threading.Event()
        self.last = snapshot(folders)

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            now = snapshot(self.folders)
            if now != self.last:
                time.sleep(0.1)  # let an editor finish writing
                self.last = snapshot(self.folders)
                self.rebuild()
