"""zengrad.allocator: glibc keeps freed memory for the next array unless ZENGRAD_MALLOC=system."""

import os
import platform
import subprocess
import sys

import pytest

CODE = "import zengrad as zg; print(zg.allocator.describe()[0]); print(zg.info().count('allocator:'))"


def _fresh(**env) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k != "ZENGRAD_MALLOC"}
    environment.update(env)
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120,
                            env=environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's thresholds are glibc's")
def test_thresholds_raised_on_import_and_shown_by_info():
    line, shown = _fresh()
    assert line == "allocator: freed blocks kept up to 32 MiB (mallopt; ZENGRAD_MALLOC=system undoes)"
    assert shown == "1"


def test_system_allocator_on_request():
    line, shown = _fresh(ZENGRAD_MALLOC="system")
    assert line == "allocator: the C library's default (ZENGRAD_MALLOC=system)"
    assert shown == "1"
