"""`zengrad train rnn` / `zengrad train char-lstm`: a character-level language model on a text corpus.

The model reads characters c₁..c_T and predicts each next one:
    e_t = Embedding(c_t),  h_t = RNN(e_t, h_{t−1}),  p(c_{t+1} | c_{≤t}) = softmax(W h_t + b).
Its quality is measured in bits per character (bpc) on held-out text: the mean of
−log₂ p(true next character). The baseline is the unigram model, which predicts every character
by its frequency in the training text and ignores context.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import data, nn, optim
from ..creation import manual_seed, tensor
from ..grad_mode import no_grad
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, pyplot, run_info


class CharModel(nn.Module):
    """Embedding → RNN or LSTM → Linear, over (batch, time) character codes."""

    def __init__(self, vocab_size: int, embedding_dim: int = 32, hidden_size: int = 192, cell: str = "rnn"):
        super().__init__()
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"CharModel: cell must be 'rnn' or 'lstm', got {cell!r}")
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        recurrent = nn.LSTM if cell == "lstm" else nn.RNN
        self.recurrent = recurrent(embedding_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, codes, state=None):
        hidden, state = self.recurrent(self.embed(codes), state)
        return self.head(hidden), state


def unigram_bits(train_codes: np.ndarray, eval_codes: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy (bits/char) of ``eval_codes`` under add-one-smoothed training frequencies."""
    counts = np.bincount(train_codes, minlength=vocab_size) + 1.0
    log_p = np.log2(counts / counts.sum())
    return float(-log_p[eval_codes].mean())


def evaluate_bits(model: CharModel, codes: np.ndarray, seq_len: int, device: str) -> float:
    """Bits per character of the model on ``codes``, read in consecutive windows."""
    usable = (len(codes) - 1) // seq_len * seq_len
    inputs = codes[:usable].reshape(-1, seq_len)
    targets = codes[1:usable + 1].reshape(-1, seq_len)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total = 0.0
    with no_grad():
        model.eval()
        for start in range(0, len(inputs), 64):
            logits, _ = model(tensor(inputs[start:start + 64], device=device))
            batch_targets = tensor(targets[start:start + 64], device=device)
            total += loss_fn(logits.reshape(-1, logits.shape[-1]), batch_targets.reshape(-1)).item()
        model.train()
    return total / inputs.size / math.log(2)


def sample(model: CharModel, corpus: data.CharCorpus, prompt: str, length: int, temperature: float,
           rng: np.random.Generator, device: str) -> str:
    """Generate ``length`` characters after ``prompt`` by sampling p(c | history)^(1/temperature)."""
    prompt = "".join(c for c in prompt if c in corpus.chars) or corpus.chars[0]
    codes = list(corpus.encode(prompt))
    with no_grad():
        model.eval()
        logits, state = model(tensor(np.array([codes]), device=device))
        for _ in range(length):
            scores = logits[0, -1].cpu().numpy().astype(np.float64) / temperature
            p = np.exp(scores - scores.max())
            codes.append(int(rng.choice(len(p), p=p / p.sum())))
            logits, state = model(tensor(np.array([[codes[-1]]]), device=device), state)
        model.train()
    return corpus.decode(codes)


def train(options: RunOptions, cell: str = "rnn", batch_size: int = 32, seq_len: int = 64,
          steps_per_epoch: int = 50, lr: float = 3e-3, max_chars: int = 200_000, hidden_size: int = 192,
          sample_chars: int = 400, cpu_seconds: float | None = None) -> dict:
    """Train the recurrent character model (``cell`` 'rnn' or 'lstm'); see :func:`fit_char_model`."""
    return fit_char_model(options, "rnn" if cell == "rnn" else "char-lstm", f"char-{cell}",
                          lambda vocab: CharModel(vocab, hidden_size=hidden_size, cell=cell),
                          batch_size=batch_size, seq_len=seq_len, steps_per_epoch=steps_per_epoch, lr=lr,
                          max_chars=max_chars, sample_chars=sample_chars, cpu_seconds=cpu_seconds)


def fit_char_model(options: RunOptions, trainer: str, name: str, build, batch_size: int, seq_len: int, steps_per_epoch: int,
                   lr: float, max_chars: int, sample_chars: int = 400, cpu_seconds: float | None = None,
                   details: dict | None = None) -> dict:
    """The training run every character model shares: the corpus and its 90/10 split, Adam on
    random windows of ``seq_len + 1`` characters with gradient clipping at norm 1, validation bits
    per character after each epoch, a checkpoint per epoch (``--resume`` continues it), then
    metrics.json and a PNG with the loss curve and sampled text.

    ``trainer`` is the name of the run's trainer (checked on ``--resume``), ``name`` the model's.
    ``build(vocab_size)`` makes the model: a module called as ``model(codes, state)`` that returns
    (logits, state). ``cpu_seconds`` (used by the README's comparison) stops training once the
    process has used that much CPU time, after a last validation.
    """
    epochs = options.epochs or 10
    run = RunFolder.start(options, trainer)
    manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    clock = Stopwatch()
    cpu_start = time.process_time()
    corpus = data.text(options.data, max_chars=max_chars)
    train_codes, val_codes = corpus.split(0.1)
    if len(train_codes) < seq_len + 2 or len(val_codes) < seq_len + 1:
        raise ValueError(f"{corpus.source}: the text has {len(corpus.text)} characters, too few for one batch: "
                         f"the model reads windows of {seq_len + 1} characters and holds out the last 10% for "
                         f"validation, so it needs at least {math.ceil(10 * (seq_len + 1)) + 1}; give a longer "
                         "text with --data")
    baseline = unigram_bits(train_codes, val_codes, corpus.vocab_size)

    model = build(corpus.vocab_size).to(options.device)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    start, history = 0, {"train_bits": [], "val_bits": []}
    if options.resume:
        start, history, _ = run.resume({"model": model}, {"optimizer": optimizer}, options.device,
                                       {"batches": rng}, epochs)

    bar = epochs_bar(start, epochs, name, options.progress)
    out_of_budget = False
    for epoch in bar:
        for _ in range(steps_per_epoch):
            offsets = rng.integers(0, len(train_codes) - seq_len - 1, batch_size)
            window = train_codes[offsets[:, None] + np.arange(seq_len + 1)]
            logits, _ = model(tensor(window[:, :-1], device=options.device))
            loss = loss_fn(logits.reshape(-1, corpus.vocab_size),
                           tensor(window[:, 1:], device=options.device).reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            history["train_bits"].append(loss.item() / math.log(2))
            out_of_budget = cpu_seconds is not None and time.process_time() - cpu_start >= cpu_seconds
            if out_of_budget:
                break
        history["val_bits"].append(evaluate_bits(model, val_codes, seq_len, options.device))
        bar.set_postfix(val_bpc=f"{history['val_bits'][-1]:.3f}", unigram=f"{baseline:.3f}")
        run.save_checkpoint(epoch, {"model": model}, {"optimizer": optimizer}, history, generators={"batches": rng})
        if out_of_budget:
            break

    text = sample(model, corpus, "def ", sample_chars, 0.8, rng, options.device)
    val_bits = history["val_bits"][-1] if history["val_bits"] else float("nan")
    metrics = {
        "run": run_info(options, model=name, seconds=round(clock.seconds, 2), epochs=epochs,
                        steps_per_epoch=steps_per_epoch, batch_size=batch_size, seq_len=seq_len,
                        steps=len(history["train_bits"]), cpu_seconds=round(time.process_time() - cpu_start, 2),
                        parameters=sum(p.numel() for p in model.parameters()), **(details or {})),
        "corpus": {"source": corpus.source, "characters": len(corpus.text), "vocab_size": corpus.vocab_size},
        "val_bits_per_char": val_bits,
        "unigram_bits_per_char": baseline,
        "ratio_to_unigram": val_bits / baseline,
        "val_bits_per_epoch": history["val_bits"],
        "sample": text,
    }
    _plot(run, history, baseline, text, name)
    run.write_metrics(metrics)
    return metrics


def _plot(run, history, baseline, text, name):
    plt = pyplot()
    figure, (curve, shown) = plt.subplots(2, 1, figsize=(9, 8), gridspec_kw={"height_ratios": [2, 3]})
    steps = np.arange(1, len(history["train_bits"]) + 1)
    curve.plot(steps, history["train_bits"], lw=0.6, alpha=0.6, label="train (per step)")
    if history["val_bits"]:
        per_epoch = -(-len(steps) // len(history["val_bits"]))
        at = np.minimum(per_epoch * np.arange(1, len(history["val_bits"]) + 1), len(steps))
        curve.plot(at, history["val_bits"], "o-", label="validation")
    curve.axhline(baseline, color="k", ls="--", label="unigram baseline")
    curve.set(xlabel="step", ylabel="bits per character", title=name)
    curve.legend()
    shown.axis("off")
    shown.text(0, 1, text[:600], family="monospace", fontsize=7, va="top", wrap=True)
    shown.set_title("sampled text (temperature 0.8)", loc="left")
    figure.tight_layout()
    figure.savefig(run.figure("loss_and_sample.png"), dpi=110)
    plt.close(figure)
