"""DSA, the Differentiable Self-Adaptive learning rate, for optax."""

from dsa_optax.alias import dsa
from dsa_optax.bounds import eta_bounds
from dsa_optax.transform import VARIANTS, ScaleByDSAState, scale_by_dsa

__all__ = ["dsa", "scale_by_dsa", "ScaleByDSAState", "VARIANTS", "eta_bounds"]
__version__ = "0.1.0"
