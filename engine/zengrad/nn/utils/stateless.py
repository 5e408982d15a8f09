"""``torch.nn.utils.stateless.functional_call``: PyTorch's older address of
:func:`zengrad.func.functional_call` (a module run with given tensors in place of its own)."""

from ...func import functional_call

__all__ = ["functional_call"]
