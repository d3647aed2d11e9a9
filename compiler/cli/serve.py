"""``serve``: build, serve OUT on 127.0.0.1, rebuild on change, reload open pages.

The server only ever reads files inside OUT (``SimpleHTTPRequestHandler`` resolves
each path inside its directory; anything that would leave it is a 404), binds to
the loopback address unless told otherwise, answers only requests whose ``Host`` is
the address it bound (a DNS-rebinding page, whose Host is its own name, gets a 400,
as Vite and webpack-dev-server do since their advisories), answers any malformed
request line with a 400, 404 or 414 and never a traceback, and adds one small script to HTML
responses on the fly so pages reload after a rebuild. The built files themselves
are never changed, so the served site is byte for byte what ``build`` writes.
Rebuilds go through the incremental cache, so an edit re-renders only what changed.
"""
from __future__ import annotations

import http.server
import ipaddress
import os
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from compiler.incremental.inputs import Inputs

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


MAX_PATH = 2048  # characters of a request's path: more is a 414 (no page of ours has a path near it)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` values a server bound to (host, port) answers; None: any IP address (a wildcard bind).

    A name other than these reaches us only through DNS (a rebinding page's own name),
    so it is refused; an IP address cannot be rebound."""
    bound = f"[{host}]" if ":" in host else host
    names = {*LOOPBACK_NAMES, bound}
    if host in ("", "0.0.0.0", "::"):
        return None
    return frozenset(n for name in names for n in (f"{name}:{port}", *((name,) if port == 80 else ())))


def _is_ip_host(value: str, port: int) -> bool:
    """Is ``value`` (a Host header) an IP address with this port (port 80 may go unsaid)?"""
    name, colon, rest = value.rpartition(":")
    if not colon or name.endswith(":") or (rest.endswith("]") and name.startswith("[")):
        name, rest = value, "80"  # no port: `127.0.0.1`, `[::1]`
    if rest != str(port):
        return False
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return True


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from OUT, plus /__build (the build counter) and /__livereload.js."""

    server_version = "compile-glossary"
    build_id: Callable[[], str] = staticmethod(lambda: "0")
    hosts: frozenset[str] | None = frozenset()  # set per server (``make_server``)

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

    def _refused(self) -> bool:
        """Answer 400/414 to a request that must not be served; whether it was refused."""
        host = (self.headers.get("Host") or "").strip().lower()
        port = int(getattr(self.server, "server_port", 0))
        allowed = (host in self.hosts if self.hosts is not None
                   else _is_ip_host(host, port) or host in (f"localhost:{port}", "localhost" if port == 80 else ""))
        if not allowed:
            self.send_error(400, "Host not allowed")
            return True
        if len(self.path) > MAX_PATH:
            self.send_error(414, "Request-URI too long")
            return True
        if "\0" in self.path or "%00" in self.path or not self.path.startswith("/"):
            self.send_error(400, "Bad request path")
            return True
        return False

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        if self._refused():
            return
        try:
            self._get()
        except (OSError, ValueError, UnicodeError):  # a path the file system cannot take
            self.send_error(404, "Not found")

    def _get(self) -> None:
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
        if self.command == "HEAD":
            return super().do_HEAD()
        return super().do_GET()


class SiteServer(http.server.ThreadingHTTPServer):
    """A thread per connection and a listen backlog of 1,024 (the default of 5 made a burst of
    simultaneous requests wait close to a minute at p99, the kernel dropping SYNs and the
    clients retrying: bench/bench_hostile.py); a handler's error is dropped quietly, never printed as a traceback."""

    request_queue_size = 1024
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def make_server(out: Path, host: str, port: int, build_id: Callable[[], str]) -> SiteServer:
    handler: type[SiteHandler] = type("Handler", (SiteHandler,), {"build_id": staticmethod(build_id)})
    server = SiteServer((host, port), partial(handler, directory=str(out)))
    handler.hosts = allowed_hosts(host, int(server.server_address[1]))
    return server


class Watcher:
    """Calls ``rebuild`` when an input of the build changes.

    What is watched is the build's own inventory (``inputs()``: compiler.incremental.inputs,
    the same list the build cache's key and the no-op stamps are made from), asked again after
    each rebuild: a module folder or a hook folder named in ``glossary.toml`` is watched as
    soon as the configuration names it. The kernel's file events come through ``watchfiles``
    (inotify, FSEvents...), so nothing is polled; changes inside ``ignore`` (the output
    folder and the cache) and hidden or cache folders are not inputs.

    A change made before the kernel watch is in place (just after a build, or while the
    configuration's folders are being re-read) sends no event, so the inputs' stamps are taken
    before each build and compared once the watch has been quiet for ``settle`` seconds: such
    a change is then built too, not lost until the next edit."""

    def __init__(self, inputs: Callable[[], Inputs], rebuild: Callable[[], None], ignore: list[Path],
                 settle: float = 0.5) -> None:
        self.inputs, self._rebuild = inputs, rebuild
        self.ignore = [str(p.resolve()) for p in ignore]
        self.settle = settle
        self.stop = threading.Event()
        self.seen = self.snapshot(inputs())  # made before the first build: see rebuild

    def wanted(self, _change: object, path: str) -> bool:
        parts = Path(path).parts
        if any(part.startswith(".") or part in ("__pycache__", "node_modules") for part in parts):
            return False
        return not any(path == ig or path.startswith(ig.rstrip(os.sep) + os.sep) for ig in self.ignore)

    def snapshot(self, inputs: Inputs) -> str:
        """The stamps of every watched input file (the no-op check's stamp lines)."""
        from compiler.incremental.inputs import files_of, stamp_line

        return "\n".join(stamp_line(f) for folder, suffixes in inputs.folders()
                         for f in files_of(folder, suffixes) if self.wanted(None, f.path))

    def rebuild(self, inputs: Inputs) -> None:
        self.seen = self.snapshot(inputs)  # before the build reads: an edit during it shows next time
        self._rebuild()

    def run(self) -> None:
        from watchfiles import watch

        while not self.stop.is_set():
            inputs = self.inputs()
            watched = sorted({str(p) for p in inputs.watched() if p.exists()})
            if not watched:
                self.stop.wait(0.5)
                continue
            compared = False
            for changes in watch(*watched, watch_filter=self.wanted, stop_event=self.stop, debounce=200,
                                 raise_interrupt=False, yield_on_timeout=True, rust_timeout=int(self.settle * 1000)):
                if not changes:  # quiet: the watch is in place; did anything change before it was?
                    if compared or self.snapshot(inputs) == self.seen:
                        compared = True
                        continue
                compared = True
                self.rebuild(inputs)
                now = self.inputs()
                if sorted({str(p) for p in now.watched() if p.exists()}) != watched:
                    break  # the configuration names other inputs now: watch those
