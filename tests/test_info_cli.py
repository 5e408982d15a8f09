"""`zengrad info` runs with or without a GPU and says what was built and why CUDA is (un)usable."""

import subprocess
import sys

import zengrad as zg


def test_info_reports_kernels_and_gpu_status():
    text = zg.info()
    assert "zengrad" in text and "matmul" in text
    assert "GPU: usable" in text or "GPU: not usable" in text
    if not zg.cuda.is_available():
        assert zg.cuda.unavailable_reason() in text


def test_cli_info_in_a_fresh_process():
    result = subprocess.run([sys.executable, "-m", "zengrad.cli", "info"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "kernels (default first)" in result.stdout
