"""Downloads, for real, from an HTTP server on 127.0.0.1 serving copies of
the files: success, wrong content, a dropped connection, a server that is
down."""

import http.server
import shutil
import socket
import threading

import numpy as np
import pytest

from train.data import ChecksumError, DownloadError, MissingDataError, load


def _serve(mirror_folder, data_dir, *relative_paths):
  for relative in relative_paths:
    (mirror_folder / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(data_dir / relative, mirror_folder / relative)


def test_downloads_into_the_data_dir_and_verifies(http_mirror, data_dir, tmp_path):
  mirror_folder, url = http_mirror
  _serve(mirror_folder, data_dir, "uci/car.data", *(
      f"mnist/{path.name}" for path in (data_dir / "mnist").glob("*.gz")
  ))
  target = tmp_path / "data"
  target.mkdir()
  car = load("car", target, download=True, mirror=url)
  mnist = load("mnist", target, download=True, mirror=url)
  downloaded, original = target / "uci" / "car.data", data_dir / "uci" / "car.data"
  assert downloaded.read_bytes() == original.read_bytes()
  assert downloaded.stat().st_mode & 0o777 == 0o644
  assert sorted(path.name for path in (target / "mnist").iterdir()) == sorted(
      path.name for path in (data_dir / "mnist").glob("*.gz")
  )
  np.testing.assert_array_equal(car.x_train, load("car", data_dir).x_train)
  assert mnist.x_train.shape == (60000, 28, 28, 1)


def test_downloads_into_the_cache_by_default(
    http_mirror, data_dir, tmp_path, monkeypatch
):
  mirror_folder, url = http_mirror
  _serve(mirror_folder, data_dir, "uci/agaricus-lepiota.data")
  monkeypatch.delenv("DSA_DATA_DIR", raising=False)
  monkeypatch.delenv("DSA_OFFLINE")
  monkeypatch.setenv("DSA_DATA_MIRROR", url)
  assert load("mushroom").x_train.shape == (6499, 117)
  assert (tmp_path / "cache" / "dsa-optax" / "uci" / "agaricus-lepiota.data").is_file()


@pytest.mark.parametrize(
    "relative, corrupt",
    [
        ("uci/car.data", lambda content: content.replace(b"vhigh", b"vhugh", 1)),
        ("mnist/t10k-labels-idx1-ubyte.gz", lambda content: b"<html>moved</html>"),
    ],
)
def test_wrong_content_raises_and_leaves_nothing(
    relative, corrupt, http_mirror, data_dir, tmp_path
):
  mirror_folder, url = http_mirror
  _serve(mirror_folder, data_dir, relative)
  served = mirror_folder / relative
  served.write_bytes(corrupt(served.read_bytes()))
  target = tmp_path / "data"
  target.mkdir()
  name = "car" if relative.startswith("uci") else "mnist"
  if name == "mnist":  # the other three files arrive intact first
    _serve(target, data_dir, *(
        f"mnist/{stem}.gz" for stem in
        ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte")
    ))
  with pytest.raises(ChecksumError, match=f"{served.name}.*{url}/{relative}"):
    load(name, target, download=True, mirror=url)
  assert not (target / relative).exists()
  leftovers = [
      path for path in (target / relative).parent.iterdir()
      if path.name.startswith(".")
  ]
  assert not leftovers


class _DroppingHandler(http.server.BaseHTTPRequestHandler):
  """Promises 1000 bytes, sends 10, hangs up."""

  def do_GET(self):
    self.send_response(200)
    self.send_header("Content-Length", "1000")
    self.end_headers()
    self.wfile.write(b"0123456789")

  def log_message(self, *args):
    del args


def test_dropped_connection_raises_and_leaves_nothing(tmp_path):
  server = http.server.HTTPServer(("127.0.0.1", 0), _DroppingHandler)
  threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
  try:
    with pytest.raises(DownloadError, match="car.data"):
      url = f"http://127.0.0.1:{server.server_address[1]}"
      load("car", tmp_path, download=True, mirror=url)
  finally:
    server.shutdown()
    server.server_close()
  assert list((tmp_path / "uci").iterdir()) == []


def test_server_down_names_file_url_and_fix(tmp_path):
  with socket.socket() as probe:  # a port on which nothing listens
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
  url = f"http://127.0.0.1:{port}"
  with pytest.raises(DownloadError) as raised:
    load("car", tmp_path, download=True, mirror=url)
  message = str(raised.value)
  assert f"{url}/uci/car.data" in message
  assert str(tmp_path / "uci") in message and "DSA_DATA_DIR" in message
  assert isinstance(raised.value, MissingDataError)  # a FileNotFoundError too
  assert list((tmp_path / "uci").iterdir()) == []



def test_unwritable_target_names_the_folder(tmp_path):
  (tmp_path / "uci").write_text("a file where the folder should be")
  with pytest.raises(DownloadError, match=f"Cannot write into {tmp_path / 'uci'}"):
    load("car", tmp_path, download=True, mirror="http://127.0.0.1:9")
