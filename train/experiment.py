"""Running a preset: every requested optimizer, several seeds, logged to disk."""

import dataclasses
import logging
import pathlib
from typing import Sequence

from train import data as datasets
from train import presets
from train.epochs import StepsPerCall
from train.loop import RunResult, fit

log = logging.getLogger(__name__)


def subset(data: datasets.Dataset, max_train: int | None, max_test: int | None = None):
  """The first ``max_train`` training and ``max_test`` test examples (None: all)."""
  return dataclasses.replace(
      data,
      x_train=data.x_train[:max_train], y_train=data.y_train[:max_train],
      x_test=data.x_test[:max_test], y_test=data.y_test[:max_test],
  )


def run_experiment(
    preset_name: str,
    optimizer_names: Sequence[str] | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    *,
    epochs=None,
    batch_size: int | None = None,
    data_dir: str | None = None,
    out_dir: str | pathlib.Path = "runs",
    width: float = 1.0,
    max_train: int | None = None,
    max_test: int | None = None,
    chunk_size: int = 2048,
    unroll_chunks: bool = False,
    steps_per_call: StepsPerCall = None,
    mesh=None,
    resume: bool = False,
    checkpoint: bool = True,
    progress: bool = True,
) -> dict[str, RunResult]:
  """Trains the preset's model with each optimizer; one run per seed.

  Args:
    preset_name: e.g. "mlp-wine" or "dnn-mnist" (see ``train.presets``).
    optimizer_names: registry names; default: DSA, the paper's 8 baselines and
      the peers.
    seeds: trained together under ``jax.vmap``.
    epochs: override of the preset's epochs ((T1, T2), or an int for
      full-batch presets).
    batch_size: override of the mini-batch size.
    data_dir: where the dataset files are (default: ``DSA_DATA_DIR``, then the
      user cache).
    out_dir: results go to ``out_dir/<preset>/<optimizer>/``.
    width: channel multiplier of FMP (1.0 is the paper's network).
    max_train: train on the first ``max_train`` examples only.
    max_test: evaluate on the first ``max_test`` test examples only.
    chunk_size: examples per chunk of full-batch gradients and evaluation.
    unroll_chunks: unroll the loop over full-batch chunks (faster on CPU,
      memory linear in the number of chunks).
    steps_per_call: mini-batch updates per jitted call, "epoch", or None (by
      backend; see ``train.epochs``).
    mesh: a data-parallel mesh (``train.sharding.data_mesh()``) or None.
    resume: continue each run from its latest checkpoint.
    checkpoint: save an orbax checkpoint after each epoch.
    progress: show progress bars.

  Returns:
    ``{optimizer name: RunResult}``.
  """
  preset = presets.get(preset_name)
  names = tuple(optimizer_names or presets.ALL_OPTIMIZERS)
  data = subset(datasets.load(preset.dataset, data_dir=data_dir), max_train, max_test)
  results = {}
  for name in names:
    stages = preset.schedule(name, epochs=epochs, batch_size=batch_size)
    log.info("%s: %s", preset_name, " then ".join(s.describe() for s in stages))
    run_dir = pathlib.Path(out_dir) / preset_name / name
    results[name] = fit(
        lambda seed: preset.build_model(data.input_shape, data.n_classes, seed, width),
        data,
        stages,
        seeds,
        chunk_size=chunk_size,
        unroll_chunks=unroll_chunks,
        steps_per_call=steps_per_call,
        mesh=mesh,
        out_dir=run_dir,
        resume=resume,
        checkpoint=checkpoint,
        progress=progress,
    )
  return results
