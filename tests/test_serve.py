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
