"""The exercises grade: every reference solution passes, every untouched skeleton fails, and
typical mistakes are reported with what is wrong and where.

A mistake is made by editing a reference solution's text (one line each), so each case shows that
its checker can fail, and on what message.
"""

import re

import pytest

from zengrad import cli, exercises

NUMBERS = range(1, len(exercises.MODULES) + 1)


@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solution_passes(number):
    result = exercises.check(number, exercises.solution_path(number))
    assert result.status in ("passed", "skipped"), str(result)
    if result.status == "skipped":
        assert "needs" in result.message or "compiler" in result.message


@pytest.mark.parametrize("number", NUMBERS)
def test_untouched_skeleton_fails_and_says_what_to_write(number):
    result = exercises.check(number, exercises.skeleton_path(number))
    if result.status == "skipped":
        pytest.skip(result.message)
    assert result.status in ("unfinished", "wrong"), str(result)
    assert not result.passed
    assert re.search(r"not written yet|never written", result.message), result.message


MISTAKES = [
    # (exercise, text in the reference, replacement, what the message must say)
    (1, "parent.grad += derivative * out.grad", "parent.grad = derivative * out.grad",
     r"`a \* a  \(a used twice\)`.*d out/d a = .*expected .* by finite differences"),
    (1, "lambda out: (1.0 - out.data ** 2,)", "lambda out: (1.0 - out.data,)", r"tanh.*d out/d"),
    (2, "stack.extend((parent, False) for parent in node.parents if id(parent) not in done)",
     "order.extend(node.parents)", r"listed .* times|comes later|missing"),
    (3, "return grad.sum(axis=stretched, keepdims=True) if stretched else grad", "return grad",
     r"unbroadcast\(grad of shape .*\): shape .*, expected"),
    (4, "return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)", "return grad_a, grad_b",
     r"dL/d[ab] for a .*: shape .*, expected"),
    (4, "grad_a = grad @ np.swapaxes(b, -1, -2)", "grad_a = 2 * (grad @ np.swapaxes(b, -1, -2))",
     r"dL/da for a .* wrong at index .* expected"),
    (5, "shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits",
     r"huge logits.*(NaN|loss is nan|subtract)"),
    (5, "return loss, grad / batch", "return loss, grad", r"dL/dlogits .*wrong at index"),
    (6, "dh = dh + dy[t]", "dh = dy[t]", r"the gradient of (x|h0|w_ih|w_hh|b) .*wrong at index"),
    (7, "dc = dc_next + dh_next * o * (1.0 - tanh_c ** 2)", "dc = dc_next",
     r"the gradient of \w+ .*wrong at index"),
    (8, "D(fake.detach())", "D(fake)", r"detach"),
    (8, "    opt_d.zero_grad()\n", "", r"D's parameter .*zero D's gradients"),
    (9, "j:j + stride * out_w:stride]", "j:j + out_w]", r"im2col of .*(wrong at index|could not broadcast|shape)"),
    (10, "for (int j = n0; j < n1; ++j)", "for (int j = n0; j < n1 - 1; ++j)", r"C = A .* wrong at index"),
    (10, "std::fill(C, C + static_cast<long>(M) * N, 0.0f);", "", r"never written"),
    (10, "const int KB = 64", "const int KB = 64 +", r"does not compile"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the broken softmax overflows, as intended
@pytest.mark.parametrize("number, before, after, message", MISTAKES,
                         ids=[f"e{m[0]:02d}-{i}" for i, m in enumerate(MISTAKES)])
def test_a_mistake_is_reported_with_where_and_how_much(number, before, after, message, tmp_path):
    source = exercises.solution_path(number).read_text()
    assert before in source
    attempt = tmp_path / exercises.exercise(number).SKELETON
    attempt.write_text(source.replace(before, after))
    result = exercises.check(number, attempt)
    if result.status == "skipped":
        pytest.skip(result.message)
    assert result.status in ("wrong", "error"), str(result)
    assert re.search(message, result.message, flags=re.S), result.message


def test_an_attempt_that_crashes_is_reported_not_raised(tmp_path):
    attempt = tmp_path / "e03_unbroadcast.py"
    attempt.write_text("def broadcast_shape(a, b):\n    return 1 / 0\n")
    result = exercises.check(3, attempt)
    assert result.status == "error"
    assert "ZeroDivisionError in broadcast_shape (line 2 of e03_unbroadcast.py)" in result.message


def test_cli_list_show_start_check(tmp_path, capsys, monkeypatch):
    assert cli.main(["exercise", "list"]) == 0
    listing = capsys.readouterr().out
    assert len(listing.strip().splitlines()) == len(exercises.MODULES) >= 10
    assert cli.main(["exercise", "show", "6"]) == 0
    assert "Hints:" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    assert cli.main(["exercise", "start", "4"]) == 0
    assert (tmp_path / "e04_matmul_gradient.py").is_file()
    assert cli.main(["exercise", "start", "4"]) == 2  # refuses to overwrite the learner's work
    assert cli.main(["exercise", "check", "4"]) == 1
    assert "UNFINISHED" in capsys.readouterr().out
    assert cli.main(["exercise", "check", "4", "--reference"]) == 0
    assert cli.main(["exercise", "check", "4", "--file", str(tmp_path / "missing.py")]) == 1
    assert "no such file" in capsys.readouterr().out
    assert cli.main(["exercise", "show", "99"]) == 2
