"""The training loop: stages of epochs, several seeds at once, logged and resumable.

Seeds train together: their states are stacked along a leading axis and every
jitted function is ``jax.vmap``-ed over it (the data is shared). Each epoch
ends with an evaluation on the test split, a line per seed in
``metrics.jsonl`` and an orbax checkpoint. The random order of the mini-batches
in epoch ``e`` for seed ``s`` is drawn from ``fold_in(key(s), e)``, so a run
resumed from a checkpoint gives exactly the numbers of an uninterrupted one.
"""

import dataclasses
import functools
import json
import logging
import pathlib
import shutil
import time
from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from tqdm import tqdm

from train import optimizers
from train.checkpoint import Checkpoints
from train.evaluate import evaluate
from train.metrics import classification_metrics
from train.objective import Objective
from train.schedule import Stage
from train.epochs import StepsPerCall, compile_epoch
from train.seed_axis import over_seeds
from train.sharding import replicate
from train.steps import TrainState

log = logging.getLogger(__name__)


@dataclasses.dataclass
class RunResult:
  """What :func:`fit` returns.

  Attributes:
    history: one record per epoch and seed (the lines of metrics.jsonl).
    state: the final :class:`TrainState`, stacked over seeds.
    objective: the model's pure functions (to evaluate ``state``).
    stopped: why training stopped early, or None when every epoch ran.
  """

  history: list[dict]
  state: TrainState
  objective: Objective
  stopped: str | None = None


def _stack(trees):
  return jax.tree.map(lambda *xs: jnp.stack(xs), *trees)


@functools.lru_cache(maxsize=32)
def _eval_fn(objective, eval_params, chunk_size, mesh):
  """Compiled once per model and evaluation rule, shared by every optimizer."""

  def evaluate_one(params, rest, opt_state, x, y):
    params = eval_params(opt_state, params)
    return evaluate(objective, params, rest, x, y, chunk_size, mesh)

  return jax.jit(over_seeds(evaluate_one, in_axes=(0, 0, 0, None, None)))


def fit(
    model_factory: Callable[[int], nnx.Module],
    data,
    stages: Sequence[Stage],
    seeds: Sequence[int] = (0,),
    *,
    chunk_size: int = 2048,
    unroll_chunks: bool = False,
    steps_per_call: StepsPerCall = None,
    mesh=None,
    out_dir: str | pathlib.Path | None = None,
    resume: bool = False,
    checkpoint: bool = True,
    progress: bool = True,
) -> RunResult:
  """Trains one model per seed through ``stages``; evaluates after each epoch.

  Args:
    model_factory: ``seed -> nnx.Module``, a freshly initialised model.
    data: a ``train.data.Dataset`` (host arrays; put on the devices once here).
    stages: the schedule, e.g. ``train.schedule.hybrid_schedule(15, 15, 64)``.
    seeds: one run per seed, trained together under ``jax.vmap``.
    chunk_size: examples per chunk of full-batch gradients and evaluation.
    unroll_chunks: unroll the loop over full-batch chunks: 2-3x faster
      convolutions on CPU, but memory grows with the number of chunks (see
      ``train.full_batch``).
    steps_per_call: mini-batch updates per jitted call; "epoch" runs each
      epoch as one ``lax.scan``; None: 1 on CPU, "epoch" elsewhere (XLA:CPU
      runs loop bodies 2-3x slower; see ``train.epochs``).
    mesh: a ``jax.sharding.Mesh`` with axis "data" for data parallelism, or
      None for one device.
    out_dir: where ``metrics.jsonl`` and ``checkpoints/`` go; None keeps
      nothing on disk.
    resume: continue from the latest checkpoint in ``out_dir`` if there is one;
      without it, checkpoints already in ``out_dir`` are replaced.
    checkpoint: save an orbax checkpoint in ``out_dir`` after each epoch.
    progress: show a progress bar.

  Returns:
    A :class:`RunResult`.
  """
  if resume and not (out_dir and checkpoint):
    raise ValueError("resume=True needs checkpoints: pass out_dir and checkpoint=True.")
  seeds = list(seeds)
  objective, params, rest = None, [], []
  for seed in seeds:
    objective, p, r = Objective.from_model(model_factory(seed))
    params.append(p)
    rest.append(r)
  params, rest = replicate(_stack(params), mesh), replicate(_stack(rest), mesh)
  x_train, y_train, x_test, y_test = replicate(
      tuple(jnp.asarray(a) for a in (data.x_train, data.y_train, data.x_test, data.y_test)), mesh
  )
  seed_keys = jnp.stack([jax.random.key(s) for s in seeds])
  grad_evals = jnp.zeros(len(seeds), jnp.int32)

  out_dir = pathlib.Path(out_dir) if out_dir is not None else None
  checkpoints = Checkpoints(out_dir / "checkpoints") if out_dir and checkpoint else None
  history: list[dict] = []
  resume_from = None
  if checkpoints is not None and checkpoints.latest_epoch() is not None:
    if resume:
      resume_from = checkpoints.latest_epoch()
    else:  # a fresh run replaces an older run's checkpoints
      checkpoints.close()
      shutil.rmtree(checkpoints.directory)
      checkpoints = Checkpoints(checkpoints.directory)
  metrics_file = _open_metrics(out_dir)

  stopped = None
  first_epoch = 0
  bar = tqdm(total=sum(s.epochs for s in stages), disable=not progress, unit="epoch")
  try:
    for stage_index, stage in enumerate(stages):
      spec = optimizers.get(stage.optimizer)
      tx = spec.make()
      evaluate_all = _eval_fn(objective, spec.eval_params, chunk_size, mesh)
      state = TrainState(params, rest, replicate(jax.vmap(tx.init)(params), mesh), grad_evals)
      done = 0
      if resume_from is not None:
        if checkpoints.progress(resume_from)["stage"] > stage_index:
          first_epoch += stage.epochs
          bar.update(stage.epochs)
          continue
        state, progress_meta = checkpoints.restore(resume_from, state)
        state = replicate(state, mesh)
        history = progress_meta["history"]
        for record in history:
          metrics_file and metrics_file.write(json.dumps(record) + "\n")
        done = resume_from - first_epoch
        bar.update(done)
        resume_from = None
      keys_at = jax.jit(jax.vmap(jax.random.fold_in, in_axes=(0, None)))
      # Compiled ahead, so that epoch times do not include compilation.
      run_epoch = compile_epoch(
          objective, tx, spec, stage, state, keys_at(seed_keys, 0), x_train, y_train,
          chunk_size=chunk_size, mesh=mesh, unroll_chunks=unroll_chunks, steps_per_call=steps_per_call,
      )
      for local_epoch in range(done, stage.epochs):
        epoch = first_epoch + local_epoch + 1
        keys = keys_at(seed_keys, epoch)
        start = time.perf_counter()
        state, train_loss = run_epoch(state, keys, x_train, y_train)
        train_loss = np.asarray(jax.block_until_ready(train_loss))
        seconds = time.perf_counter() - start
        test_loss, predictions = evaluate_all(state.params, state.rest, state.opt_state, x_test, y_test)
        records = _records(
            epoch, stage_index, stage, seeds, train_loss, np.asarray(test_loss),
            np.asarray(predictions), data, seconds, np.asarray(state.grad_evals),
        )
        history.extend(records)
        for record in records:
          metrics_file and metrics_file.write(json.dumps(record) + "\n")
        bar.update(1)
        bar.set_postfix(stage=stage.optimizer, loss=f"{float(np.mean(train_loss)):.4g}")
        # The training loss is measured before (the last) update: the test loss
        # and the parameters tell whether the state after it is still finite.
        finite = np.isfinite(train_loss) & np.isfinite(test_loss) & _finite_per_seed(state.params)
        if not np.all(finite):
          bad = [s for s, ok in zip(seeds, finite) if not ok]
          stopped = (
              f"non-finite loss or parameters with {stage.optimizer} at epoch {epoch} "
              f"for seeds {bad}; the checkpoint of the last finite epoch is kept"
          )
          log.warning("Stopped: %s.", stopped)
          return RunResult(history, state, objective, stopped)
        if checkpoints is not None:
          checkpoints.save(epoch, state, {"stage": stage_index, "history": history})
      params, rest, grad_evals = state.params, state.rest, state.grad_evals
      first_epoch += stage.epochs
    return RunResult(history, state, objective, stopped)
  finally:
    bar.close()
    if metrics_file:
      metrics_file.close()
    if checkpoints is not None:
      checkpoints.close()


def _finite_per_seed(params) -> np.ndarray:
  """``(n_seeds,)``: whether every parameter of each seed is finite."""
  per_leaf = [np.isfinite(np.asarray(p)).reshape(p.shape[0], -1).all(axis=1) for p in jax.tree.leaves(params)]
  return np.logical_and.reduce(per_leaf)


def _open_metrics(out_dir):
  if out_dir is None:
    return None
  out_dir.mkdir(parents=True, exist_ok=True)
  # On resume the file is rewritten from the checkpoint's history, so that
  # epochs logged after the last checkpoint are not duplicated.
  return open(out_dir / "metrics.jsonl", "w", buffering=1)


def _records(epoch, stage_index, stage, seeds, train_loss, test_loss, predictions, data, seconds, grad_evals):
  records = []
  for i, seed in enumerate(seeds):
    record = {
        "epoch": epoch,
        "stage": stage_index,
        "optimizer": stage.optimizer,
        "full_batch": stage.full_batch,
        "seed": seed,
        "train_loss": float(train_loss[i]),
        "test_loss": float(test_loss[i]),
        **classification_metrics(data.y_test, predictions[i], data.n_classes),
        "epoch_seconds": seconds,
        "grad_evals": int(grad_evals[i]),
    }
    records.append(record)
  return records
