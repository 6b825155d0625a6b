"""optim: PyTorch-compatible optimizers and learning-rate schedules on autograd Tensors.

The public face: re-exports only. Each optimizer also has a pure update function over NumPy
arrays (`adam_update`, `sgd_update`, ...) that updates in place and can be called directly.
"""
from . import lr_scheduler
from .optimizer import Optimizer
from .sgd import SGD, sgd_update
from .adam import (Adam, AdamW, Adamax, NAdam, RAdam, adam_update, adamax_update, nadam_update,
                   radam_update)
from .rmsprop import RMSprop, rmsprop_update
from .adagrad import Adadelta, Adagrad, adadelta_update, adagrad_update
from .lion import Lion, lion_update
from .lamb import LAMB, lamb_update
from .adafactor import Adafactor, adafactor_update
from .lbfgs import LBFGS
from .rprop import Rprop, rprop_update
from .asgd import ASGD, asgd_update

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
           "Adadelta", "Lion", "LAMB", "Adafactor", "LBFGS", "Rprop", "ASGD", "lr_scheduler",
           "sgd_update", "adam_update", "adamax_update", "nadam_update", "radam_update",
           "rmsprop_update", "adagrad_update", "adadelta_update", "lion_update", "lamb_update",
           "adafactor_update", "rprop_update", "asgd_update"]
