"""Data parallelism over 4 (virtual CPU) devices gives the single-device numbers.

JAX fixes its device count at start-up, so the comparison runs in a fresh
interpreter with ``--xla_force_host_platform_device_count=4``: the MLP on
wine, two seeds, mini-batch (batch 16) and full-batch (one chunk, and chunks
of 64), with ``mesh=data_mesh()`` and with ``mesh=None``.
"""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json
    import jax
    import numpy as np
    from train import data, presets
    from train.loop import fit
    from train.schedule import Stage
    from train.sharding import data_mesh

    wine = data.load("wine")
    preset = presets.get("mlp-wine")
    factory = lambda seed: preset.build_model(wine.input_shape, wine.n_classes, seed)
    mesh = data_mesh()
    out = {"devices": len(jax.devices()), "mesh_size": mesh.size, "runs": {}, "errors": {}}
    cases = {
        "minibatch-16": ([Stage("adam", 2, full_batch=False, batch_size=16)], 2048),
        "full-batch-one-chunk": ([Stage("dsa", 2, full_batch=True)], 2048),
        "full-batch-chunks-of-64": ([Stage("dsa", 2, full_batch=True)], 64),
    }
    for name, (stages, chunk_size) in cases.items():
      for label, m in (("mesh", mesh), ("single", None)):
        result = fit(factory, wine, stages, [0, 1], chunk_size=chunk_size, mesh=m, progress=False)
        out["runs"][f"{name}/{label}"] = {
            "history": [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in result.history],
            "params": [np.asarray(x).tolist() for x in jax.tree.leaves(result.state.params)],
            "params_sharding": str(jax.tree.leaves(result.state.params)[0].sharding),
        }
    for name, stages, chunk_size in (
        ("batch", [Stage("adam", 1, full_batch=False, batch_size=18)], 2048),
        ("chunk", [Stage("dsa", 1, full_batch=True)], 50),
    ):
      try:
        fit(factory, wine, stages, [0], chunk_size=chunk_size, mesh=mesh, progress=False)
        out["errors"][name] = None
      except ValueError as error:
        out["errors"][name] = str(error)
    print("RESULT " + json.dumps(out))
""")

CASES = ["minibatch-16", "full-batch-one-chunk", "full-batch-chunks-of-64"]


@pytest.fixture(scope="module")
def four_devices():
  env = dict(os.environ)
  env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4").strip()
  env["JAX_PLATFORMS"] = "cpu"
  process = subprocess.run(
      [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
  assert process.returncode == 0, process.stderr[-5000:]
  line = next(l for l in process.stdout.splitlines() if l.startswith("RESULT "))
  return json.loads(line[len("RESULT "):])


def test_the_subprocess_sees_four_devices(four_devices):
  assert four_devices["devices"] == four_devices["mesh_size"] == 4
  sharding = four_devices["runs"]["minibatch-16/mesh"]["params_sharding"]
  assert "NamedSharding" in sharding and "data" in sharding  # replicated over the mesh


@pytest.mark.parametrize("case", CASES)
def test_four_devices_give_the_single_device_numbers(four_devices, case):
  sharded, single = four_devices["runs"][f"{case}/mesh"], four_devices["runs"][f"{case}/single"]

  assert len(sharded["history"]) == len(single["history"]) == 4  # 2 epochs x 2 seeds
  for a, b in zip(sharded["history"], single["history"]):
    for key in ("epoch", "stage", "optimizer", "full_batch", "seed", "grad_evals"):
      assert a[key] == b[key]
    for key in ("train_loss", "test_loss"):
      assert a[key] == pytest.approx(b[key], rel=1e-5), (case, a["epoch"], a["seed"], key)
  for a, b in zip(sharded["params"], single["params"], strict=True):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=2e-5)


def test_a_batch_size_not_divisible_by_the_devices_is_refused_clearly(four_devices):
  message = four_devices["errors"]["batch"]
  assert message is not None
  assert "batch size (18)" in message and "multiple of the number of devices (4)" in message


def test_a_chunk_size_not_divisible_by_the_devices_is_refused_clearly(four_devices):
  message = four_devices["errors"]["chunk"]
  assert message is not None
  assert "chunk size (50)" in message and "(4)" in message
