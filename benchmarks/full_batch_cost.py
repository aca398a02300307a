"""Issue 5: what the trainer's full-batch DSA step and mini-batch epoch cost
against their floors, timed interleaved on the CPU.

1. A full-batch DSA epoch of the DNN (``train.steps.full_batch_step`` with
   ``dsa``, chunks of 2048 as the trainer's default) against two accumulated
   full passes (``train.full_batch.full_batch_value_and_grad`` twice, the
   second at a point that depends on the first gradient, jitted together).
   Goal: ratio <= 1.1.
2. A mini-batch epoch of the DNN (``train.steps.minibatch_epoch`` with Adam,
   batch 64) against a minimal hand-written loop: ``lax.scan`` over the same
   shuffled batches of a ``value_and_grad`` and an ``optax.adam`` update of
   the ``nnx.split`` params, the data on the device. Goal: ratio <= 1.1.
3. The trainer's mini-batch epoch as it runs by default on CPU
   (``train.epochs.compile_epoch``: a host loop of one jitted update per call,
   the state stacked over seeds, here one) against a minimal host loop of one jitted
   ``value_and_grad`` + ``optax.adam`` step per batch (the batch sliced inside
   the call, as the trainer does). Goal: ratio <= 1.1.

Each round runs every contender once (order rotated each round); the table
gives the median over rounds and the ratio of medians, plus the median of the
per-round ratios (robust to the load of a shared machine drifting).

Usage:
  DSA_DATA_DIR=/work/shared/data python benchmarks/full_batch_cost.py \
      [--examples 8192] [--rounds 7] [--out benchmarks/full_batch_cost.md]
"""

import argparse
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import logged_runs  # noqa: E402
from train import data as datasets  # noqa: E402
from train import optimizers, presets  # noqa: E402
from train.batching import shuffled_batches  # noqa: E402
from train.epochs import compile_epoch  # noqa: E402
from train.full_batch import full_batch_value_and_grad  # noqa: E402
from train.objective import Objective, as_model_input  # noqa: E402
from train.schedule import minibatch_schedule  # noqa: E402
from train.steps import TrainState, full_batch_step, minibatch_epoch  # noqa: E402


def contenders(n_examples, chunk_size, batch_size):
  data = datasets.load("mnist")
  x = jnp.asarray(data.x_train[:n_examples])
  y = jnp.asarray(data.y_train[:n_examples])
  model = presets.get("dnn-mnist").build_model(data.input_shape, data.n_classes, 0)
  objective, params, rest = Objective.from_model(model)
  key = jax.random.key(0)

  dsa = optimizers.get("dsa")
  dsa_tx = dsa.make()
  dsa_state = TrainState(params, rest, dsa_tx.init(params), jnp.zeros([], jnp.int32))
  dsa_step = jax.jit(lambda s, k, x, y: full_batch_step(objective, dsa_tx, dsa.grad_evals, chunk_size, None, s, k, x, y))

  @jax.jit
  def two_passes(params, rest, x, y):
    loss, grads, rest1 = full_batch_value_and_grad(objective, params, rest, x, y, chunk_size)
    probe = jax.tree.map(lambda p, g: p - 2.0**-12 * jnp.sign(g), params, grads)
    loss2, grads2, _ = full_batch_value_and_grad(objective, probe, rest1, x, y, chunk_size)
    new = jax.tree.map(lambda p, g, h: p - 2.0**-12 * jnp.sign(g * h), params, grads, grads2)
    return new, loss + loss2

  adam = optimizers.get("adam")
  adam_tx = adam.make()
  adam_state = TrainState(params, rest, adam_tx.init(params), jnp.zeros([], jnp.int32))
  trainer_epoch = jax.jit(
      lambda s, k, x, y: minibatch_epoch(objective, adam_tx, adam.grad_evals, batch_size, None, s, k, x, y)
  )

  # The minimal loop: nnx.split params, plain cross-entropy, optax.adam.
  graphdef, p0, r0 = nnx.split(model, nnx.Param, ...)
  plain_tx = optax.adam(1e-3)

  def plain_update(params, opt_state, idx, w, x, y):
    """One value_and_grad and Adam update on the batch ``idx`` (weights ``w``)."""

    def loss_fn(p):
      logits = nnx.merge(graphdef, p, r0)(as_model_input(x[idx]))
      nll = optax.softmax_cross_entropy_with_integer_labels(logits, y[idx])
      return jnp.sum(w * nll) / jnp.sum(w)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = plain_tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss

  @jax.jit
  def plain_epoch(params, opt_state, key, x, y):
    indices, weights = shuffled_batches(key, x.shape[0], batch_size)

    def body(carry, batch):
      params, opt_state, loss = plain_update(*carry, *batch, x, y)
      return (params, opt_state), loss

    (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), (indices, weights))
    return params, opt_state, losses.mean()

  @jax.jit
  def plain_step(params, opt_state, indices, weights, i, x, y):
    return plain_update(params, opt_state, indices[i], weights[i], x, y)

  plain_order = jax.jit(lambda key: shuffled_batches(key, x.shape[0], batch_size))
  steps = [jnp.int32(i) for i in range(-(-x.shape[0] // batch_size))]

  def plain_host_epoch(params, opt_state, key):
    indices, weights = plain_order(key)
    losses = []
    for i in steps:
      params, opt_state, loss = plain_step(params, opt_state, indices, weights, i, x, y)
      losses.append(loss)
    return params, opt_state, jnp.mean(jnp.stack(losses))

  # The trainer's default on CPU (compile_epoch's steps_per_call=None there).
  stacked = jax.tree.map(lambda a: a[None], adam_state)
  keys = jnp.stack([key])
  (stage,) = minibatch_schedule("adam", 1, batch_size)
  trainer_cpu_epoch = compile_epoch(objective, adam_tx, adam, stage, stacked, keys, x, y,
                                    chunk_size=chunk_size, mesh=None, steps_per_call=1)

  plain_state = plain_tx.init(p0)
  return {
      "full-batch DSA step (train.steps.full_batch_step)": lambda: dsa_step(dsa_state, key, x, y),
      "two accumulated full passes (full_batch_value_and_grad x2)": lambda: two_passes(params, rest, x, y),
      "mini-batch Adam epoch (train.steps.minibatch_epoch)": lambda: trainer_epoch(adam_state, key, x, y),
      "minimal lax.scan Adam loop": lambda: plain_epoch(p0, plain_state, key, x, y),
      "mini-batch Adam epoch, one update per call (train.epochs.compile_epoch, the CPU default)":
          lambda: trainer_cpu_epoch(stacked, keys, x, y),
      "minimal host loop, one jitted Adam step per batch": lambda: plain_host_epoch(p0, plain_state, key),
  }


def scan_profile(chunk_sizes, n_chunks, rounds):
  """One full pass three ways: the trainer's default (chunks under
  ``lax.scan``, memory bounded by one chunk), the same unrolled
  (``unroll=True``), and one jitted call per chunk from Python. XLA:CPU runs
  convolutions inside a loop body slower."""
  data = datasets.load("mnist")
  model = presets.get("dnn-mnist").build_model(data.input_shape, data.n_classes, 0)
  objective, params, rest = Objective.from_model(model)
  rows = []
  for c in chunk_sizes:
    n = c * n_chunks
    x, y = jnp.asarray(data.x_train[:n]), jnp.asarray(data.y_train[:n])
    rolled = jax.jit(lambda p, x, y: full_batch_value_and_grad(objective, p, rest, x, y, c)[:2])
    unrolled = jax.jit(lambda p, x, y: full_batch_value_and_grad(objective, p, rest, x, y, c, unroll=True)[:2])
    fns = {
        "train.full_batch, default (lax.scan)": lambda: rolled(params, x, y),
        "train.full_batch, unroll=True": lambda: unrolled(params, x, y),
        "one jitted call per chunk, from Python": lambda: [
            rolled(params, x[i:i + c], y[i:i + c]) for i in range(0, n, c)],
    }
    memory = {
        "train.full_batch, default (lax.scan)": rolled.lower(params, x, y).compile().memory_analysis(),
        "train.full_batch, unroll=True": unrolled.lower(params, x, y).compile().memory_analysis(),
        "one jitted call per chunk, from Python": rolled.lower(params, x[:c], y[:c]).compile().memory_analysis(),
    }
    times = {k: [] for k in fns}
    for f in fns.values():
      jax.block_until_ready(f())
    for _ in range(rounds):
      for k, f in fns.items():
        start = time.perf_counter()
        jax.block_until_ready(f())
        times[k].append(time.perf_counter() - start)
    base = float(np.median(times["one jitted call per chunk, from Python"]))
    for k, t in times.items():
      rows.append((c, n_chunks, k, float(np.median(t)), float(np.median(t)) / base,
                   memory[k].temp_size_in_bytes / 2**20))
    print(rows[-3:], flush=True)
  return rows


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--examples", type=int, default=8192)
  parser.add_argument("--chunk-size", type=int, default=2048)
  parser.add_argument("--batch-size", type=int, default=64)
  parser.add_argument("--rounds", type=int, default=7)
  parser.add_argument("--profile-chunks", nargs="*", type=int, default=[256, 512])
  parser.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent / "full_batch_cost.md"))
  args = parser.parse_args()
  started = logged_runs.machine()
  fns = contenders(args.examples, args.chunk_size, args.batch_size)
  names = list(fns)
  compile_s = {}
  for name, fn in fns.items():
    start = time.perf_counter()
    jax.block_until_ready(fn())
    compile_s[name] = time.perf_counter() - start
  times = {name: [] for name in names}
  for r in range(args.rounds):
    order = names[r % len(names):] + names[: r % len(names)]
    for name in order:
      start = time.perf_counter()
      jax.block_until_ready(fns[name]())
      times[name].append(time.perf_counter() - start)
    print(f"round {r}: " + ", ".join(f"{times[n][-1]:.3f}" for n in names), flush=True)

  med = {n: float(np.median(t)) for n, t in times.items()}
  pairs = [
      (names[0], names[1], "full-batch DSA epoch / two accumulated passes"),
      (names[2], names[3], "trainer mini-batch epoch (one lax.scan) / minimal loop"),
      (names[4], names[5], "trainer mini-batch epoch, CPU default / minimal host loop"),
  ]
  info = logged_runs.machine()
  command = (
      f"DSA_DATA_DIR=/work/shared/data nice -n 5 python benchmarks/full_batch_cost.py "
      f"--examples {args.examples} --chunk-size {args.chunk_size} --rounds {args.rounds} "
      f"--profile-chunks {' '.join(map(str, args.profile_chunks))}"
  )
  lines = ["# Cost of the trainer's steps against their floors (issue 5)", ""]
  lines += logged_runs.header_lines(command, info, started)
  lines += [
      f"- Data: the first {args.examples} MNIST training images (not all 60,000: "
      "the CPU is shared and slow; both sides of each ratio see the same data, and "
      f"each full pass is {-(-args.examples // args.chunk_size)} chunks of {args.chunk_size}, "
      f"each epoch {-(-args.examples // args.batch_size)} mini-batches of {args.batch_size}); "
      "model: the DNN (LeNet-5, 61,706 params), one seed, no vmap (`compile_epoch` takes the "
      "state stacked over seeds, as in the trainer, and drops the seed axis of a single seed).",
      f"- {args.rounds} interleaved rounds (order rotated); first call (compilation + one run) excluded "
      "(`compile_epoch` compiles ahead of its first call, so its first call is one run).",
      "",
      "| contender | median s | min s | max s | first call s |",
      "|---|---|---|---|---|",
  ]
  for n in names:
    t = times[n]
    lines.append(f"| {n} | {med[n]:.3f} | {min(t):.3f} | {max(t):.3f} | {compile_s[n]:.1f} |")
  lines += ["", "| ratio | of medians | median of per-round ratios | goal | met? |", "|---|---|---|---|---|"]
  verdicts = {}
  for a, b, label in pairs:
    ratio = med[a] / med[b]
    per_round = float(np.median(np.array(times[a]) / np.array(times[b])))
    met = ratio <= 1.1
    verdicts[label] = {"ratio": ratio, "per_round": per_round, "met": met}
    lines.append(f"| {label} | {ratio:.3f} | {per_round:.3f} | ≤ 1.10 | {'yes' if met else 'no'} |")
  lines.append("")
  if args.profile_chunks:
    rows = scan_profile(args.profile_chunks, 4, 3)
    lines += [
        "## Profile: one full pass, rolled (the default) against unrolled and one call per chunk", "",
        "The same chunks of MNIST, value and gradient of the summed loss, median of 3 "
        "interleaved runs after a warm-up call; temporary memory from XLA's "
        "`memory_analysis()` of the compiled pass (for one call per chunk: of one call):", "",
        "| chunk | chunks | how | median s | / one call per chunk | temp MiB |", "|---|---|---|---|---|---|",
    ]
    lines += [f"| {c} | {k} | {how} | {t:.3f} | {r:.2f} | {m:.0f} |" for c, k, how, t, r, m in rows]
    lines.append("")
  logged_runs.save_json(pathlib.Path(args.out).with_suffix(".json"), {
      "medians": med, "ratios": verdicts, "examples": args.examples, "rounds": args.rounds,
  })
  pathlib.Path(args.out).write_text("\n".join(lines) + "\n")
  print("\n".join(lines))


if __name__ == "__main__":
  main()
