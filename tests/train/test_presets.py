"""The paper's experiments as presets: their settings and every optimizer's schedule.

Small tabular data: 100 full-batch epochs for everyone. Image data: DSA (and
its variants) goes through the hybrid schedule, T1 epochs of mini-batch
Adamax then T2 of full-batch DSA; the baselines and the mini-batch peers
train mini-batch for T1 + T2 epochs; L-BFGS, which needs a deterministic
loss, takes DSA's place in the hybrid schedule.
"""

import pytest

import models
from train import optimizers, presets
from train.loop import fit
from train.schedule import Stage

# SPEC section 3: (model, dataset) -> (batch size, (T1, T2)).
PAPER_SETTINGS = {
    ("dnn", "mnist"): (64, (15, 15)),
    ("dnn", "svhn"): (64, (15, 15)),
    ("dnn", "cifar10"): (64, (15, 15)),
    ("dnn", "cifar100"): (32, (15, 15)),
    ("fmp", "mnist"): (64, (50, 15)),
    ("fmp", "svhn"): (64, (75, 15)),
    ("fmp", "cifar10"): (128, (75, 15)),
    ("fmp", "cifar100"): (256, (50, 15)),
}
EVERY_OPTIMIZER = sorted(optimizers.REGISTRY)
FULL_BATCH = [p for p in presets.PRESETS.values() if p.full_batch]
HYBRID = [p for p in presets.PRESETS.values() if not p.full_batch]
MINIBATCH_OPTIMIZERS = [
    name for name, spec in optimizers.REGISTRY.items()
    if spec.group != "dsa" and not spec.full_batch_only
]


def test_the_paper_experiments_are_all_there():
  assert {p.name for p in FULL_BATCH} == {"mlp-iris", "mlp-wine", "mlp-car", "mlp-mushroom"}
  for (model, dataset), (batch_size, epochs) in PAPER_SETTINGS.items():
    preset = presets.get(f"{model}-{dataset}")
    assert (preset.model, preset.dataset, preset.batch_size, preset.epochs) == (
        model, dataset, batch_size, epochs)
  assert presets.get("dnn-fashion-mnist").dataset == "fashion_mnist"
  assert set(presets.ALL_OPTIMIZERS) == {"dsa", *optimizers.PAPER_BASELINES, *optimizers.PEERS}


@pytest.mark.parametrize("preset", FULL_BATCH, ids=lambda p: p.name)
def test_full_batch_presets_give_one_full_batch_stage_of_100_epochs(preset):
  assert preset.model == "mlp" and preset.epochs == (100, 0)
  for optimizer in EVERY_OPTIMIZER:
    assert preset.schedule(optimizer) == (Stage(optimizer, 100, full_batch=True),)
    assert preset.schedule(optimizer, epochs=7) == (Stage(optimizer, 7, full_batch=True),)


@pytest.mark.parametrize("preset", HYBRID, ids=lambda p: p.name)
def test_dsa_and_lbfgs_go_through_the_hybrid_schedule(preset):
  t1, t2 = preset.epochs
  for optimizer in optimizers.DSA_VARIANTS + ("lbfgs",):
    assert preset.schedule(optimizer) == (
        Stage("adamax", t1, full_batch=False, batch_size=preset.batch_size),
        Stage(optimizer, t2, full_batch=True),
    ), optimizer


@pytest.mark.parametrize("preset", HYBRID, ids=lambda p: p.name)
def test_other_optimizers_train_minibatch_for_t1_plus_t2_epochs(preset):
  t1, t2 = preset.epochs
  for optimizer in MINIBATCH_OPTIMIZERS:
    assert preset.schedule(optimizer) == (
        Stage(optimizer, t1 + t2, full_batch=False, batch_size=preset.batch_size),), optimizer


def test_every_optimizer_has_a_schedule_on_every_preset():
  assert len(MINIBATCH_OPTIMIZERS) + len(optimizers.DSA_VARIANTS) + 1 == len(EVERY_OPTIMIZER)


def test_schedule_overrides_of_epochs_and_batch_size():
  preset = presets.get("dnn-mnist")
  assert preset.schedule("dsa", epochs=(2, 3), batch_size=16) == (
      Stage("adamax", 2, full_batch=False, batch_size=16), Stage("dsa", 3, full_batch=True))
  assert preset.schedule("adam", epochs=(2, 3)) == (Stage("adam", 5, full_batch=False, batch_size=64),)


def test_an_unknown_preset_error_lists_the_presets():
  with pytest.raises(ValueError) as error:
    presets.get("nope")
  message = str(error.value)
  assert "'nope'" in message
  for name in presets.PRESETS:
    assert name in message


def test_an_unknown_optimizer_is_refused_with_the_known_ones():
  with pytest.raises(ValueError, match="Unknown optimizer 'nope'.*adamax"):
    presets.get("dnn-mnist").schedule("nope")


@pytest.mark.parametrize("name, model_class, input_shape, n_classes", [
    ("mlp-wine", models.MLP, (13,), 3),
    ("dnn-mnist", models.DNN, (28, 28, 1), 10),
])
def test_build_model_gives_the_presets_architecture(name, model_class, input_shape, n_classes):
  model = presets.get(name).build_model(input_shape, n_classes, seed=0)
  assert type(model) is model_class


def test_fmp_presets_use_the_fmp_model():
  assert {p.model for p in presets.PRESETS.values() if p.name.startswith("fmp-")} == {"fmp"}


def test_fit_refuses_lbfgs_in_a_minibatch_stage(wine, wine_mlp):
  """Why L-BFGS takes the hybrid schedule's full-batch stage on image data."""
  with pytest.raises(ValueError, match="L-BFGS needs full-batch steps"):
    fit(wine_mlp, wine, [Stage("lbfgs", 1, full_batch=False, batch_size=32)], progress=False)
