"""Training steps and per-op overhead, zengrad against PyTorch, under pytest-benchmark.

Run with:  OMP_NUM_THREADS=2 python -m pytest benchmarks/bench_models.py --benchmark-enable -p no:cacheprovider
(the plain test run skips benchmarks). Compare the pairs in pytest-benchmark's table: the same
step functions back `zengrad bench models|overhead`.
"""

import pytest

from zengrad.bench import models

FRAMEWORKS = ["zengrad", pytest.param("torch", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("torch") is None, reason="PyTorch not installed"))]


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("model", models.MODELS)
def test_training_step(benchmark, model, framework):
    if framework == "torch":
        import torch
        torch.set_num_threads(int(__import__("os").environ.get("OMP_NUM_THREADS", "2")))
    step = (models.torch_step if framework == "torch" else models.zengrad_step)(model)
    benchmark.group = f"train step: {model}"
    benchmark(step)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_small_op_chain(benchmark, framework):
    from zengrad.bench.overhead import _inputs, _workloads
    a, b = _inputs()
    if framework == "torch":
        import torch as lib
    else:
        import zengrad as lib
    x, w = (lib.tensor(v, requires_grad=True) for v in (a, b))
    chain, _ = _workloads(lib, x, w)["chain_forward_backward"]
    benchmark.group = "overhead: 5-op chain forward+backward"
    benchmark(chain)
