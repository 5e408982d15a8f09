"""`zengrad bench`: kernels, training steps and per-op overhead, each against its reference.

* :mod:`.models` — one training step of each model, in zengrad and as a PyTorch twin;
* :mod:`.memory` — peak memory of a step, measured in a fresh process;
* :mod:`.overhead` — microseconds per small op, zengrad against PyTorch eager;
* :mod:`.report` — runs the measurements, prints the table, writes JSON and a PNG.

The timing method itself is in :mod:`zengrad.benchmarking`.
"""
