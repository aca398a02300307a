"""Flax NNX models of the paper: MLP, DNN (LeNet-5) and FMP (Graham, 2014)."""

from models.dnn import DNN
from models.fmp import FMP, FractionalMaxPool
from models.fractional_max_pool import fractional_max_pool
from models.mlp import MLP

__all__ = ['DNN', 'FMP', 'FractionalMaxPool', 'MLP', 'fractional_max_pool']
