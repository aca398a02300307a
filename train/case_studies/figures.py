"""Matplotlib figures of the case studies (paper figures 5, 6, 9 and 10).

Figures are built with `matplotlib.figure.Figure`, not pyplot: saving a PNG
then uses the Agg canvas and touches no global backend state. Diverging
tracks do not stretch the axes: limits cover the finite points within a cap
around the region of interest.
"""

import math
import pathlib
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from train.case_studies.problems import Problem
from train.case_studies.report import has_diverged
from train.case_studies.tracks import Track

_DSA_STYLE = {"color": "black", "linewidth": 2.2, "zorder": 5}


def line_styles(names: Sequence[str]) -> dict[str, dict]:
  """One distinct line style per optimizer; DSA thick and black."""
  palette = colormaps["tab20"].colors
  others = [name for name in names if name != "dsa"]
  # tab20 pairs a dark and a light shade: all dark shades first, then light.
  styles = {
      name: {"color": palette[(2 * i) % 20 + (2 * i) // 20], "linewidth": 1.2}
      for i, name in enumerate(others)
  }
  if "dsa" in names:
    styles["dsa"] = _DSA_STYLE
  return styles


def finite_limits(values: np.ndarray, low: float, high: float) -> tuple[float, float]:
  """Axis limits spanning the finite `values` inside `[low, high]`, plus 5%."""
  inside = values[np.isfinite(values) & (values >= low) & (values <= high)]
  if inside.size == 0:
    return low, high
  lo, hi = float(inside.min()), float(inside.max())
  margin = 0.05 * (hi - lo) or 0.05 * max(abs(lo), 1e-12)
  return lo - margin, hi + margin


def _save(figure: Figure, path: pathlib.Path) -> pathlib.Path:
  path.parent.mkdir(parents=True, exist_ok=True)
  figure.savefig(path, dpi=110, bbox_inches="tight")
  return path


def _loss_axes(ax, tracks: Mapping[str, Track], labels, styles, floor: float):
  """Loss per iteration on a log axis (zeros and non-finite values not drawn)."""
  for name, track in tracks.items():
    loss = np.where(track.loss > 0, track.loss, np.nan)
    ax.plot(loss, label=labels[name], **styles[name])
  start = max(float(t.loss[0]) for t in tracks.values())
  ax.set_yscale("log")
  ax.set_xlim(0, max(t.loss.size for t in tracks.values()) - 1)
  ax.set_ylim(floor, 100 * start)
  ax.set_xlabel("iteration")
  ax.set_ylabel("loss")
  ax.grid(alpha=0.3)


def plot_sum_of_four(
    tracks: Mapping[str, Track], labels: Mapping[str, str], threshold: float,
    path: pathlib.Path,
) -> pathlib.Path:
  """Figure 5: the loss and each weight w_i per iteration, every optimizer."""
  styles = line_styles(list(tracks))
  figure = Figure(figsize=(15, 8.5), layout="constrained")
  axes = figure.subplots(2, 3).ravel()
  _loss_axes(axes[0], tracks, labels, styles, floor=1e-14)
  axes[0].axhline(threshold, color="grey", linestyle=":", label="threshold")
  axes[0].set_title("Loss trend (mean squared error)")
  all_weights = np.concatenate([t.params.ravel() for t in tracks.values()])
  limits = finite_limits(all_weights, -1.0, 3.0)
  for i, ax in enumerate(axes[1:5]):
    for name, track in tracks.items():
      ax.plot(track.params[:, i], **styles[name])
    ax.axhline(1.0, color="grey", linestyle=":")
    ax.set_ylim(limits)
    ax.set_title(f"Track of w{i + 1} (optimum 1)")
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"w{i + 1}")
    ax.grid(alpha=0.3)
  axes[5].axis("off")
  axes[5].legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize=11)
  figure.suptitle("Sum of four numbers: least squares, w in R^4, from w = 0")
  return _save(figure, path)


def _contours(ax, problem: Problem, xlim, ylim):
  """Log-spaced level sets of the loss over the axes' box."""
  w1, w2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
  points = jnp.stack([w1.ravel(), w2.ravel()], axis=-1)
  levels_of = np.asarray(jax.vmap(problem.loss)(points)).reshape(w1.shape)
  top = float(levels_of.max())
  ax.contour(w1, w2, levels_of, levels=np.geomspace(top * 1e-5, top, 12),
             colors="lightgrey", linewidths=0.7)


def _planar_track(ax, problem: Problem, track: Track, style: dict,
                  label: str | None = None):
  """A 2-D track with the start (circle) and the optimum (star)."""
  ax.plot(track.params[:, 0], track.params[:, 1], marker=".", markersize=3,
          label=label, **style)
  ax.plot(*np.asarray(problem.start), "o", color="tab:green")
  ax.plot(*np.asarray(problem.optimum), "*", color="tab:red", markersize=10)


def plot_planar_tracks(
    problem: Problem, tracks: Mapping[str, Track], labels: Mapping[str, str],
    title: str, path: pathlib.Path, columns: int = 4,
) -> pathlib.Path:
  """Figures 6 and 9: each optimizer's (w1, w2) track over the contours.

  Each panel's axes span its track's finite points within 100 times the
  start's size (so a diverging track fills its panel without overflowing).
  """
  styles = line_styles(list(tracks))
  cap = 100 * float(np.abs(np.asarray(problem.start)).max())
  rows = math.ceil(len(tracks) / columns)
  figure = Figure(figsize=(4.2 * columns, 3.4 * rows), layout="constrained")
  axes = figure.subplots(rows, columns, squeeze=False).ravel()
  for ax, (name, track) in zip(axes, tracks.items()):
    xlim = finite_limits(track.params[:, 0], -cap, cap)
    ylim = finite_limits(track.params[:, 1], -cap, cap)
    _contours(ax, problem, xlim, ylim)
    _planar_track(ax, problem, track, styles[name])
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_title(labels[name] + (" (diverged)" if has_diverged(track) else ""))
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
  for ax in axes[len(tracks):]:
    ax.axis("off")
  figure.suptitle(title)
  return _save(figure, path)


def plot_step_sizes(
    tracks: Mapping[str, Track], labels: Mapping[str, str], title: str,
    path: pathlib.Path,
) -> pathlib.Path:
  """The step ||w_t - w_{t-1}|| and the loss per iteration (figure 6's stride)."""
  styles = line_styles(list(tracks))
  figure = Figure(figsize=(14, 5), layout="constrained")
  step_ax, loss_ax = figure.subplots(1, 2)
  for name, track in tracks.items():
    step = np.where(track.step_size > 0, track.step_size, np.nan)
    step_ax.plot(np.arange(1, step.size + 1), step, label=labels[name], **styles[name])
  step_ax.set_yscale("log")
  step_ax.set_ylim(1e-12, 10.0)
  step_ax.set_xlabel("iteration")
  step_ax.set_ylabel("step size ||w_t - w_{t-1}||")
  step_ax.set_title("Step size per iteration")
  step_ax.grid(alpha=0.3)
  _loss_axes(loss_ax, tracks, labels, styles, floor=1e-16)
  loss_ax.set_title("Loss per iteration")
  loss_ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
  figure.suptitle(title)
  return _save(figure, path)


def _sensitivity_panels(figure: Figure, settings: Mapping[str, np.ndarray]):
  """A panel per (β1, β2): yields (axes, title, indices of its settings)."""
  beta1s, beta2s = np.unique(settings["beta1"]), np.unique(settings["beta2"])
  axes = figure.subplots(beta1s.size, beta2s.size, squeeze=False)
  for r, beta1 in enumerate(beta1s):
    for c, beta2 in enumerate(beta2s):
      chosen = (settings["beta1"] == beta1) & (settings["beta2"] == beta2)
      yield axes[r, c], f"β1 = {beta1:g}, β2 = {beta2:g}", np.flatnonzero(chosen)


def _eta0_colors(settings: Mapping[str, np.ndarray]) -> dict[float, tuple]:
  eta0s = np.unique(settings["eta0"])
  return dict(zip(eta0s, colormaps["viridis"](np.linspace(0, 0.9, eta0s.size))))


def _sensitivity_figure(settings: Mapping[str, np.ndarray]) -> Figure:
  rows, columns = np.unique(settings["beta1"]).size, np.unique(settings["beta2"]).size
  return Figure(figsize=(4.2 * columns, 3.6 * rows), layout="constrained")


def plot_sensitivity(
    problem: Problem, tracks: Track, settings: Mapping[str, np.ndarray],
    title: str, path: pathlib.Path,
) -> pathlib.Path:
  """Figure 10: DSA's tracks, one panel per (β1, β2), one line per η0.

  Args:
    problem: the quadratic the sweep ran on.
    tracks: a `Track` with a leading axis, one entry per setting.
    settings: "eta0", "beta1", "beta2" -> the setting of each entry.
    title: the figure's title.
    path: the PNG to write.
  """
  colors = _eta0_colors(settings)
  cap = 2 * float(np.abs(np.asarray(problem.start)).max())
  xlim = finite_limits(tracks.params[..., 0].ravel(), -cap, cap)
  ylim = finite_limits(tracks.params[..., 1].ravel(), -cap, cap)
  figure = _sensitivity_figure(settings)
  for ax, panel_title, chosen in _sensitivity_panels(figure, settings):
    _contours(ax, problem, xlim, ylim)
    for i in chosen:
      eta0 = settings["eta0"][i]
      track = tracks.at(i)
      _planar_track(ax, problem, track, {"color": colors[eta0], "linewidth": 1.0},
                    label=f"η0 = {eta0:g}")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_title(panel_title)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
  figure.axes[0].legend(loc="upper right", fontsize=8)
  figure.suptitle(title)
  return _save(figure, path)


def plot_sensitivity_losses(
    tracks: Track, settings: Mapping[str, np.ndarray], threshold: float,
    title: str, path: pathlib.Path,
) -> pathlib.Path:
  """The loss per iteration of each setting, laid out as `plot_sensitivity`."""
  colors = _eta0_colors(settings)
  figure = _sensitivity_figure(settings)
  for ax, panel_title, chosen in _sensitivity_panels(figure, settings):
    for i in chosen:
      eta0 = settings["eta0"][i]
      loss = np.where(tracks.loss[i] > 0, tracks.loss[i], np.nan)
      ax.plot(loss, color=colors[eta0], linewidth=1.0, label=f"η0 = {eta0:g}")
    ax.axhline(threshold, color="grey", linestyle=":")
    ax.set_xlim(0, tracks.loss.shape[-1] - 1)
    ax.set_yscale("log")
    ax.set_ylim(1e-16, 100 * float(tracks.loss[0, 0]))
    ax.set_title(panel_title)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
  figure.axes[0].legend(loc="upper right", fontsize=8)
  figure.suptitle(title)
  return _save(figure, path)
