"""The command line: help, the main job end to end, one preset, errors a user can act on.

``python -m train`` runs in a subprocess where the entry point itself is the
subject (help, the main job); the other commands call ``train.cli.main`` in
the test process, which is what ``__main__`` calls.
"""

import inspect
import json
import os
import pathlib
import subprocess
import sys

import pytest

from train import cli, main_job, optimizers, presets

REPO = pathlib.Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def python_m_train(*args, timeout=600):
  return subprocess.run(
      [sys.executable, "-m", "train", *args], cwd=REPO, env=dict(os.environ),
      capture_output=True, text=True, timeout=timeout)


def run_cli(argv, capsys):
  """``(exit code, stdout, stderr)`` of ``train.cli.main(argv)``, argparse exits included."""
  try:
    code = cli.main(argv)
  except SystemExit as exit_:
    code = exit_.code
  out, err = capsys.readouterr()
  return code, out, err


def test_python_m_train_help_names_the_commands():
  process = python_m_train("--help", timeout=120)
  assert process.returncode == 0, process.stderr
  for word in ("main", "run", "case-study", "presets", "--preset", "dnn-mnist", "--data-dir"):
    assert word in process.stdout


def test_run_help_lists_presets_and_optimizers(capsys):
  code, out, _ = run_cli(["run", "--help"], capsys)
  assert code == 0
  flat = "".join(out.split())  # argparse wraps long lines, even inside names
  for name in list(presets.PRESETS) + list(optimizers.REGISTRY):
    assert name in flat
  for option in ("--epochs", "--batch-size", "--seeds", "--resume", "--data-parallel", "--max-train"):
    assert option in out


def test_main_job_runs_to_the_end_and_writes_the_report(tmp_path):
  out_dir = tmp_path / "outputs"
  process = python_m_train(
      "main", "--epochs", "3", "--seeds", "0", "--optimizer", "dsa", "adam", "--out-dir", str(out_dir))

  assert process.returncode == 0, process.stderr[-5000:]
  report = (out_dir / "results.md").read_text()
  assert report in process.stdout
  assert "## mlp-iris: MLP, 3 full-batch epochs, 1 seeds" in report
  assert "## mlp-wine: MLP, 3 full-batch epochs, 1 seeds" in report
  rows = [line for line in report.splitlines() if line.startswith(("| DSA |", "| Adam |"))]
  assert len(rows) == 4
  wine_dsa = [line for line in report.split("## mlp-wine")[1].splitlines() if line.startswith("| DSA |")][0]
  assert "| 100.00 |" in wine_dsa  # the paper's Table 7 beside ours
  assert (out_dir / "mlp_losses.png").read_bytes()[:8] == PNG
  lines = (out_dir / "runs" / "mlp-wine" / "dsa" / "metrics.jsonl").read_text().splitlines()
  assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]
  assert not (out_dir / "runs" / "mlp-wine" / "dsa" / "checkpoints").exists()


def test_no_command_runs_the_full_main_job(capsys, monkeypatch):
  """``python -m train`` alone: 100 epochs, every optimizer, 3 seeds (too slow to run here)."""
  signature = inspect.signature(main_job.main_job)
  calls = []
  monkeypatch.setattr(main_job, "main_job", lambda **kwargs: calls.append(kwargs))

  code, _, _ = run_cli([], capsys)

  assert code == 0 and calls == [{}]
  assert signature.parameters["epochs"].default == 100
  assert tuple(signature.parameters["seeds"].default) == (0, 1, 2)
  assert signature.parameters["optimizer_names"].default is None  # all of them


def test_run_one_preset_writes_metrics_checkpoints_and_plot(tmp_path, capsys):
  code, out, err = run_cli(
      ["run", "--preset", "mlp-wine", "--optimizer", "dsa", "--epochs", "3", "--out-dir", str(tmp_path)],
      capsys)

  assert code == 0, err
  assert out.startswith("| optimizer | accuracy | paper |")
  assert "| DSA |" in out and "Loss curves:" in out
  run_dir = tmp_path / "mlp-wine" / "dsa"
  assert len((run_dir / "metrics.jsonl").read_text().splitlines()) == 3
  assert (run_dir / "checkpoints").is_dir()
  assert (tmp_path / "mlp-wine" / "losses.png").read_bytes()[:8] == PNG


@pytest.mark.parametrize("argv", [["run", "--preset", "nope"], ["run", "--preset", "nope", "--optimizer", "dsa"]])
def test_an_unknown_preset_is_refused_with_the_list_of_presets(argv, capsys):
  code, out, err = run_cli(argv, capsys)
  assert code != 0 and out == ""
  assert "nope" in err
  for name in presets.PRESETS:
    assert name in err


@pytest.mark.parametrize("command", [["run", "--preset", "mlp-wine"], ["main"]])
def test_an_unknown_optimizer_is_refused_with_the_list_of_optimizers(command, capsys):
  code, _, err = run_cli(command + ["--optimizer", "dsa", "nope"], capsys)
  assert code != 0
  assert "invalid choice: 'nope'" in err
  for name in optimizers.REGISTRY:
    assert name in err


def test_a_missing_data_dir_is_named_in_the_error(tmp_path, capsys):
  missing = tmp_path / "nonexistent"
  code, out, err = run_cli(
      ["run", "--preset", "dnn-mnist", "--optimizer", "dsa", "--epochs", "1", "1",
       "--out-dir", str(tmp_path / "out"), "--data-dir", str(missing)], capsys)

  assert code == 2
  assert err.startswith("error: Data directory ")
  assert str(missing) in err and "does not exist" in err and "DSA_DATA_DIR" in err
  assert "Traceback" not in err


def test_a_missing_data_dir_is_refused_on_a_tabular_preset_too(tmp_path, capsys):
  missing = tmp_path / "nonexistent"
  code, _, err = run_cli(
      ["run", "--preset", "mlp-wine", "--optimizer", "dsa", "--epochs", "3",
       "--out-dir", str(tmp_path / "out"), "--data-dir", str(missing)], capsys)
  assert code == 2 and str(missing) in err


@pytest.mark.parametrize("preset, epochs, want", [("mlp-wine", ["3", "4"], "1 number"), ("dnn-mnist", ["3"], "2 number")])
def test_the_wrong_count_of_epochs_is_refused(preset, epochs, want, capsys, tmp_path):
  with pytest.raises(SystemExit) as exit_:
    cli.main(["run", "--preset", preset, "--epochs", *epochs, "--out-dir", str(tmp_path)])
  assert exit_.value.code != 0
  assert want in str(exit_.value.code)


def test_case_study_writes_its_figures(tmp_path, capsys):
  code, out, err = run_cli(["case-study", "quadratic", "--steps", "20", "--out-dir", str(tmp_path)], capsys)

  assert code == 0, err
  assert "| DSA |" in out
  figures = sorted(tmp_path.glob("*.png"))
  assert [p.name for p in figures] == ["quadratic_step_sizes.png", "quadratic_tracks.png"]
  assert all(p.read_bytes()[:8] == PNG for p in figures)


def test_presets_command_lists_presets_and_optimizers(capsys):
  code, out, _ = run_cli(["presets"], capsys)
  assert code == 0
  for name in presets.PRESETS:
    assert name in out
  assert "T1=15 mini-batch Adamax + T2=15 full-batch DSA" in out
  assert "optimizers: " + ", ".join(optimizers.REGISTRY) in out
