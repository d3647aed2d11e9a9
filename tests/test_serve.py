"""`serve`: the handler serves only OUT, injects the reload script, and rebuilds on change."""
from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from compiler.cli.serve import make_server

from .conftest import FIXTURES

REPO = FIXTURES.parents[1]


def _serve(folder: Path):
    server = make_server(folder, "127.0.0.1", 0, lambda: "7")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


def test_serves_only_files_inside_out(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<html><body>hello</body></html>")
    (tmp_path / "secret.txt").write_text("do not serve")
    server = _serve(out)
    port = server.server_address[1]
    try:
        status, body = _get(port, "/index.html")
        assert status == 200 and b"hello" in body and b"/__livereload.js" in body
        for attack in ("/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "//etc/passwd", "/../../etc/passwd"):
            status, body = _get(port, attack)
            assert b"do not serve" not in body and b"root:" not in body, attack
        assert _get(port, "/__build") == (200, b"7")
    finally:
        server.shutdown()
        server.server_close()


def test_default_bind_is_loopback_and_rebuilds_on_change(tmp_path):
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "tests" / "fixtures" / "golden" / "terms", terms)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "compiler", "serve", str(terms), "-o", str(tmp_path / "out"),
                             "--port", str(port)], stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = ""
        deadline = time.time() + 60
        while "serving" not in line and time.time() < deadline:
            line = proc.stderr.readline()
        assert f"http://127.0.0.1:{port}/" in line
        assert _get(port, "/__build")[1] == b"1"
        (terms / "MUON.md").write_text((terms / "MUON.md").read_text().replace("heavier cousin", "heavy sibling"))
        deadline = time.time() + 60
        while _get(port, "/__build")[1] == b"1" and time.time() < deadline:
            time.sleep(0.2)
        assert _get(port, "/__build")[1] == b"2"
        status, body = _get(port, "/terms/MUON.html")
        assert status == 200 and b"heavy sibling" in body
    finally:
        proc.terminate()
        proc.wait(10)


def _raw(port: int, request: bytes) -> bytes:
    """Send a raw request and read the whole answer (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_only_the_bound_address_is_answered_and_bad_request_lines_get_a_status(tmp_path, capfd):
    """DNS rebinding (a page whose Host is its own name) gets 400; NUL, long and odd paths get 400/404/414,
    never a traceback or a dropped connection (issue 21)."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<html><body>hello</body></html>")
    server = _serve(out)
    port = server.server_address[1]
    try:
        for host, status in [(f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200), (f"[::1]:{port}", 200),
                             ("evil.example:%d" % port, 400), ("localhost", 400), (f"127.0.0.1:{port + 1}", 400),
                             (f"attacker.test:{port}", 400)]:
            answer = _raw(port, f"GET /index.html HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            assert answer.startswith(f"HTTP/1.0 {status}".encode()), (host, answer[:60])
        assert _raw(port, b"GET /__build HTTP/1.1\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.0 400")
        good = f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        for path, status in [(b"/%00/x", 400), (b"/a\x00b", 400), (b"/" + b"a" * 8000, 414), (b"/" + b"%2e" * 3000, 414),
                             (b"/%ff%fe/x", 404), (b"/" + b"a/" * 600, 404), (b"/%2e%2e/%2e%2e/etc/passwd", 404)]:
            answer = _raw(port, b"GET " + path + b" HTTP/1.1\r\n" + good)
            assert answer.startswith(f"HTTP/1.0 {status}".encode()), (path[:40], answer[:60])
        assert _raw(port, b"HEAD /index.html HTTP/1.1\r\n" + good).startswith(b"HTTP/1.0 200")
        assert b"400 - Bad request" in _raw(port, b"\x16\x03\x01garbage\r\n\r\n")  # a TLS hello: HTTP/0.9 style
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err


def test_the_server_is_threaded_with_a_long_backlog(tmp_path):
    from compiler.cli.serve import SiteServer

    server = _serve(tmp_path)
    try:
        assert isinstance(server, SiteServer) and server.request_queue_size >= 512 and server.daemon_threads
    finally:
        server.shutdown()
        server.server_close()
