"""Checkpoints and resuming: an interrupted run, resumed, is the uninterrupted run.

The schedule has two stages (mini-batch Adam, then full-batch DSA) so that
runs are interrupted inside the first stage, exactly at the switch, and inside
the second one (where DSA's adapted state must come back from the checkpoint).
"""

import json
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from train import loop
from train.checkpoint import Checkpoints
from train.loop import fit
from train.schedule import Stage

STAGES = (Stage("adam", 3, full_batch=False, batch_size=32), Stage("dsa", 3, full_batch=True))
SEEDS = [0, 1]
CHUNK_SIZE = 64


class Interrupted(Exception):
  """Raised in place of the logging of one epoch: the run dies there."""


def numbers(history):
  return [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in history]


def logged(out_dir):
  lines = (out_dir / "metrics.jsonl").read_text().splitlines()
  return numbers([json.loads(line) for line in lines])


def run(wine, wine_mlp, out_dir, stages=STAGES, **kwargs):
  return fit(wine_mlp, wine, stages, SEEDS, chunk_size=CHUNK_SIZE, out_dir=out_dir,
             progress=False, **kwargs)


def assert_states_equal(actual, expected):
  for a, e in zip(jax.tree.leaves(actual), jax.tree.leaves(expected), strict=True):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(e))


@pytest.fixture(scope="module")
def uninterrupted(wine, wine_mlp, tmp_path_factory):
  out_dir = tmp_path_factory.mktemp("uninterrupted")
  return run(wine, wine_mlp, out_dir), out_dir


def interrupt_before_logging(monkeypatch, epoch):
  """Makes the run die in ``epoch``, after the checkpoint of ``epoch - 1``."""
  records = loop._records

  def dying_records(e, *args):
    if e == epoch:
      raise Interrupted(f"killed in epoch {e}")
    return records(e, *args)

  monkeypatch.setattr(loop, "_records", dying_records)


@pytest.mark.parametrize("last_saved", [2, 5], ids=["in-stage-1", "in-stage-2"])
def test_a_run_killed_and_resumed_gives_the_uninterrupted_numbers(
    wine, wine_mlp, uninterrupted, tmp_path, monkeypatch, last_saved):
  expected, expected_dir = uninterrupted
  with monkeypatch.context() as patch:
    interrupt_before_logging(patch, last_saved + 1)
    with pytest.raises(Interrupted):
      run(wine, wine_mlp, tmp_path)
  checkpoints = Checkpoints(tmp_path / "checkpoints")
  assert checkpoints.latest_epoch() == last_saved
  checkpoints.close()
  assert len(logged(tmp_path)) == last_saved * len(SEEDS)

  resumed = run(wine, wine_mlp, tmp_path, resume=True)

  assert resumed.stopped is None
  assert numbers(resumed.history) == numbers(expected.history)
  assert logged(tmp_path) == logged(expected_dir)  # no epoch twice, none missing
  assert_states_equal(resumed.state, expected.state)


def test_a_run_of_the_first_stage_only_resumed_into_the_second(wine, wine_mlp, uninterrupted, tmp_path):
  """The checkpoint is exactly at the stage boundary (as when a run dies in the
  first DSA epoch); DSA then starts from its η0."""
  expected, _ = uninterrupted
  first = run(wine, wine_mlp, tmp_path, stages=STAGES[:1])
  assert [r["epoch"] for r in first.history] == [1, 1, 2, 2, 3, 3]

  resumed = run(wine, wine_mlp, tmp_path, resume=True)

  assert numbers(resumed.history) == numbers(expected.history)
  assert [r["optimizer"] for r in resumed.history[::2]] == ["adam"] * 3 + ["dsa"] * 3
  assert_states_equal(resumed.state, expected.state)


def test_resuming_a_finished_run_trains_no_further(wine, wine_mlp, uninterrupted, tmp_path):
  expected, expected_dir = uninterrupted
  shutil.copytree(expected_dir, tmp_path, dirs_exist_ok=True)

  resumed = run(wine, wine_mlp, tmp_path, resume=True)

  assert resumed.history == expected.history  # the logged times too: nothing ran again
  assert_states_equal(resumed.state, expected.state)


def test_the_two_latest_checkpoints_are_kept_with_the_history(uninterrupted):
  expected, out_dir = uninterrupted
  checkpoints = Checkpoints(out_dir / "checkpoints")
  try:
    assert checkpoints.latest_epoch() == 6
    assert sorted(int(p.name) for p in (out_dir / "checkpoints").iterdir() if p.name.isdigit()) == [5, 6]
    progress = checkpoints.progress(6)
    assert progress["stage"] == 1
    assert progress["history"] == expected.history
    state, restored_progress = checkpoints.restore(6, expected.state)
    assert restored_progress == progress
    assert_states_equal(state, expected.state)
  finally:
    checkpoints.close()


def test_checkpoints_store_typed_prng_keys(tmp_path):
  """Fractional max-pooling keeps typed keys in its state; they must come back typed."""
  state = {
      "key": jax.random.split(jax.random.key(3), 2),
      "count": jnp.array([4, 5], jnp.uint32),
      "w": jnp.linspace(-1.0, 1.0, 6, dtype=jnp.float32).reshape(2, 3),
  }
  like = jax.tree.map(jnp.zeros_like, {**state, "key": jax.random.split(jax.random.key(0), 2)})
  checkpoints = Checkpoints(tmp_path)
  try:
    checkpoints.save(1, state, {"stage": 0, "history": []})
    restored, progress = checkpoints.restore(1, like)
  finally:
    checkpoints.close()

  assert progress == {"stage": 0, "history": []}
  assert jax.dtypes.issubdtype(restored["key"].dtype, jax.dtypes.prng_key)
  np.testing.assert_array_equal(jax.random.key_data(restored["key"]), jax.random.key_data(state["key"]))
  np.testing.assert_array_equal(restored["count"], state["count"])
  assert restored["count"].dtype == jnp.uint32
  np.testing.assert_array_equal(restored["w"], state["w"])


def test_a_fresh_run_replaces_the_checkpoints_of_an_older_one(wine, wine_mlp, tmp_path):
  older = Stage("dsa", 3, full_batch=True)
  newer = Stage("dsa", 2, full_batch=True)
  fit(wine_mlp, wine, [older], [0], out_dir=tmp_path, progress=False)
  fit(wine_mlp, wine, [newer], [1], out_dir=tmp_path, progress=False)

  checkpoints = Checkpoints(tmp_path / "checkpoints")
  try:
    latest = checkpoints.latest_epoch()
    seeds = {r["seed"] for r in checkpoints.progress(latest)["history"]}
  finally:
    checkpoints.close()
  assert (latest, seeds) == (2, {1})
