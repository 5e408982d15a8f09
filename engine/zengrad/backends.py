"""``zengrad.backends``: the switches PyTorch scripts set or ask about, as ``torch.backends`` names
them, so those lines run unchanged. zengrad calls neither cuDNN nor Apple's MPS: ``mps`` reports
itself unavailable, and ``cudnn``'s flags (``deterministic``, ``benchmark``, ``enabled``,
``allow_tf32``) are kept but change nothing — zengrad's own kernels give the same results on every
run."""


class _Mps:
    """Apple's Metal backend, which zengrad does not have."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class _Cudnn:
    """cuDNN's switches, stored for scripts that set them; zengrad does not use cuDNN."""

    def __init__(self):
        self.deterministic, self.benchmark, self.enabled, self.allow_tf32 = False, False, True, True

    @staticmethod
    def is_available() -> bool:
        return False


mps = _Mps()
cudnn = _Cudnn()
