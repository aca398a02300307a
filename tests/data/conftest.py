"""Fixtures for the data tests: an isolated environment and a local HTTP mirror."""

import functools
import http.server
import os
import threading

import pytest


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
  """No test reaches the network or the user's cache unless it asks to."""
  monkeypatch.setenv("DSA_OFFLINE", "1")
  monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
  monkeypatch.delenv("DSA_DATA_MIRROR", raising=False)
  # The local test servers must be reached directly, not through a proxy.
  for variable in ("no_proxy", "NO_PROXY"):
    bypass = os.environ.get(variable, "")
    monkeypatch.setenv(variable, f"{bypass},127.0.0.1" if bypass else "127.0.0.1")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):

  def log_message(self, *args):
    del args  # keep the test output clean


@pytest.fixture
def http_mirror(tmp_path):
  """`(folder, base_url)`: files put under `folder` are served at `base_url`."""
  folder = tmp_path / "mirror"
  folder.mkdir()
  handler = functools.partial(_QuietHandler, directory=str(folder))
  server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
  thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
  thread.start()
  yield folder, f"http://127.0.0.1:{server.server_address[1]}"
  server.shutdown()
  server.server_close()
