"""The optimizers the experiments compare: the paper's baselines with PyTorch's
defaults, DSA and its ablations, and peers (Rprop, L-BFGS, Prodigy,
schedule-free AdamW), by name."""

from train.optimizers.registry import (
    DSA_VARIANTS,
    PAPER_BASELINES,
    PEERS,
    REGISTRY,
    OptimizerSpec,
    get,
    update_kwargs,
)

__all__ = [
    "DSA_VARIANTS",
    "PAPER_BASELINES",
    "PEERS",
    "REGISTRY",
    "OptimizerSpec",
    "get",
    "update_kwargs",
]
