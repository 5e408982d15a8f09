"""The DCGAN: shapes for 8×8 and 28×28 images, a short run that writes its artifacts and resumes,
the CLI, the Fréchet distance against an independent computation, and the comparison table."""

import json

import numpy as np
import pytest

import zengrad as zg
from zengrad.cli import main
from zengrad.data import digits
from zengrad.models import compare, dcgan
from zengrad.models.classifier import train_classifier
from zengrad.models.gan import generate
from zengrad.models.quality import assess, frechet_distance
from zengrad.models.run import RunOptions


@pytest.mark.parametrize("side", [8, 28])
@pytest.mark.parametrize("spectral", [False, True])
def test_generator_and_discriminator_shapes(side, spectral):
    generator = dcgan.Generator(latent_dim=5, side=side, width=4)
    discriminator = dcgan.Discriminator(side=side, width=4, batch_norm=not spectral, spectral=spectral)
    images = generator(zg.randn(3, 5))
    assert images.shape == (3, 1, side, side)
    assert float(images.min()) >= 0 and float(images.max()) <= 1
    assert discriminator(images).shape == (3, 1)
    keys = list(discriminator.state_dict())
    assert ("0.weight_orig" in keys and "0.weight_u" in keys) == spectral


@pytest.mark.parametrize("activation", [zg.nn.ReLU(), zg.nn.LeakyReLU(0.2)])
@pytest.mark.parametrize("layer, node", [(lambda: zg.nn.BatchNorm2d(3, dtype=zg.float64), "BatchNormTraining"),
                                         (lambda: zg.nn.Conv2d(3, 3, 3, padding=1, dtype=zg.float64), "Conv2d")])
def test_fused_layer_and_activation_match_the_layers_one_by_one(rng, activation, layer, node):
    """fused_forward runs a BatchNorm2d or Conv2d and the ReLU / LeakyReLU after it as one node: the
    same output and gradients as the two modules called in turn, differentiable twice, and in
    evaluation mode the layers as they are."""
    layers = zg.nn.Sequential(layer(), activation, zg.nn.Tanh())
    layers[0].weight._data[...] = rng.standard_normal(layers[0].weight.shape)
    layers[0].bias._data[...] = rng.standard_normal(3)
    x = zg.tensor(rng.standard_normal((4, 3, 2, 5)), requires_grad=True)
    seed = zg.tensor(rng.standard_normal((4, 3, 2, 5)))
    results = []
    for forward in (layers, lambda t: dcgan.fused_forward(layers, t)):
        x.grad = None
        layers.zero_grad()
        y = forward(x)
        y.backward(seed)
        results.append([y._data, x.grad._data, layers[0].weight.grad._data, layers[0].bias.grad._data])
    assert type(dcgan.fused_forward(layers, x).grad_fn.inputs[0].grad_fn).__name__ == node
    for unfused, fused in zip(*results):
        np.testing.assert_allclose(fused, unfused, rtol=1e-12, atol=1e-12)
    assert zg.autograd.gradcheck(lambda t, w: dcgan.fused_forward(layers, t), [x, layers[0].weight])
    assert zg.autograd.gradgradcheck(lambda t, w: dcgan.fused_forward(layers, t), [x, layers[0].weight])
    layers.eval()
    np.testing.assert_allclose(dcgan.fused_forward(layers, x)._data, layers(x)._data, rtol=1e-12, atol=1e-12)


def test_generator_rejects_a_side_it_cannot_reach():
    with pytest.raises(ValueError, match="multiple of 4"):
        dcgan.Generator(side=10)


def _options(tmp_path, **kw):
    return RunOptions(out=str(tmp_path), progress=False, **kw)


def test_short_run_writes_artifacts_and_resumes(tmp_path):
    metrics = dcgan.train(_options(tmp_path, epochs=1), samples=200)
    assert json.loads((tmp_path / "metrics.json").read_text())["run"]["model"] == "dcgan"
    assert metrics["generated"]["samples"] == 200
    assert np.isfinite(metrics["generated"]["frechet_distance"])
    assert (tmp_path / "samples_epoch_001.png").stat().st_size > 1000
    assert (tmp_path / "samples_and_losses.png").stat().st_size > 10_000
    first = zg.load(tmp_path / "checkpoint.zg")
    assert first["epoch"] == 0 and len(first["history"]["loss_d"]) == 1
    dcgan.train(_options(tmp_path, epochs=2, resume=True), samples=200)
    resumed = zg.load(tmp_path / "checkpoint.zg")
    assert resumed["epoch"] == 1
    assert resumed["history"]["loss_d"][:1] == first["history"]["loss_d"]
    before, after = first["modules"]["generator"], resumed["modules"]["generator"]
    assert any(not np.array_equal(before[k].numpy(), after[k].numpy()) for k in before)
    with pytest.raises(ValueError, match="was made with"):
        dcgan.train(_options(tmp_path, epochs=3, resume=True), loss="wgan-gp", samples=200)


def test_dcgan_digits_are_recognisable(tmp_path):
    """A short budget (12 of the default 60 epochs): every class appears, half the samples are
    confidently classified, and the Fréchet distance is far below an untrained generator's."""
    metrics = dcgan.train(_options(tmp_path, epochs=12), samples=500)
    generated = metrics["generated"]
    assert generated["classes_covered"] >= 9, generated
    assert generated["confident_fraction"] >= 0.4, generated
    zg.manual_seed(0)
    images = digits().images
    classifier, _ = train_classifier(digits())
    untrained = assess(classifier, generate(dcgan.Generator(), 500, 32, (8, 8), "cpu"), images)["generated"]
    assert generated["frechet_distance"] < untrained["frechet_distance"] / 5, (generated, untrained)


def _write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_28x28_data_from_a_folder(tmp_path, rng):
    """MNIST-format files (here 128 random 28×28 images) go through the 28×28 networks."""
    folder = tmp_path / "data"
    folder.mkdir()
    _write_idx(folder / "train-images-idx3-ubyte", rng.integers(0, 256, (128, 28, 28)))
    _write_idx(folder / "train-labels-idx1-ubyte", np.arange(128) % 10)
    metrics = dcgan.train(_options(tmp_path / "run", epochs=1, data=str(folder)), loss="wgan-gp", samples=100)
    assert metrics["run"]["data"] != "digits" and metrics["generated"]["samples"] == 100
    weights = zg.load(tmp_path / "run" / "checkpoint.zg")["modules"]["generator"]
    assert weights["0.weight"].shape == (2 * 32 * 7 * 7, 32)


def test_cli_trains_wgan_gp_with_spectral_norm(tmp_path, capsys):
    assert main(["train", "dcgan", "--loss", "wgan-gp", "--spectral-norm", "--epochs", "1",
                 "--out", str(tmp_path), "--quiet"]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["run"]["loss"] == "wgan-gp" and metrics["run"]["spectral"] is True
    assert "discriminator" in zg.load(tmp_path / "checkpoint.zg")["modules"]
    assert "0.weight_orig" in zg.load(tmp_path / "checkpoint.zg")["modules"]["discriminator"]
    assert "wrote" in capsys.readouterr().out


def _reference_fd(a, b):
    """FD with Tr (Σ_a Σ_b)^{1/2} from the eigenvalues of the non-symmetric product itself."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    sigma_a, sigma_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eigenvalues = np.linalg.eigvals(sigma_a @ sigma_b)
    trace_root = np.sqrt(np.clip(eigenvalues.real, 0, None)).sum()
    return ((mu_a - mu_b) ** 2).sum() + np.trace(sigma_a) + np.trace(sigma_b) - 2 * trace_root


def test_frechet_distance_matches_independent_computations(rng):
    a = rng.standard_normal((400, 6)) @ rng.standard_normal((6, 6))
    b = rng.standard_normal((300, 6)) @ rng.standard_normal((6, 6)) + 0.5
    assert frechet_distance(a, b) == pytest.approx(_reference_fd(a, b), rel=1e-8)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    scale = np.array([1.0, 2.0, 3.0])
    x, y = rng.standard_normal((500, 3)), rng.standard_normal((500, 3))
    x, y = (x - x.mean(0)) / x.std(0, ddof=1), (y - y.mean(0)) / y.std(0, ddof=1)
    diagonal_x, diagonal_y = x * scale, y * scale[::-1] + 1.0
    closed_form = 3.0 + ((np.sqrt(np.cov(diagonal_x, rowvar=False).diagonal())
                          - np.sqrt(np.cov(diagonal_y, rowvar=False).diagonal())) ** 2).sum()
    assert frechet_distance(diagonal_x, diagonal_y) == pytest.approx(closed_form, rel=0.05)
    with pytest.raises(ValueError, match="frechet_distance"):
        frechet_distance(a, b[:, :5])


def test_comparison_table_lists_every_model(tmp_path):
    rows = compare.compare(str(tmp_path), epochs={"gan": 1, "dcgan": 1, "dcgan-gp": 1})
    assert [row["model"] for row in rows] == [label for label, *_ in compare.MODELS] + ["real images"]
    text = compare.table(rows)
    assert len(text.splitlines()) == 2 + len(rows)
    for row in rows:
        assert f"{row['frechet_distance']:.2f}" in text
    for _, folder, *_ in compare.MODELS:
        assert (tmp_path / folder / "metrics.json").exists()


@pytest.mark.parametrize("side, channels", [(8, 1), (28, 1), (32, 3)])
def test_article_networks_agree_on_channels_and_apply_their_activations(side, channels):
    """The article's generator made 3 channels for a 1-channel discriminator and never applied
    its LeakyReLUs: here G's output feeds D for either channel count, and D is not linear."""
    generator = dcgan.ArticleGenerator(latent_dim=5, side=side, channels=channels)
    discriminator = dcgan.ArticleDiscriminator(side=side, channels=channels)
    images = generator(zg.randn(2, 5))
    assert images.shape == (2, channels, side, side)
    assert 0 <= float(images.min()) and float(images.max()) <= 1
    assert discriminator(images).shape == (2, 1)
    leaky = [m for m in discriminator.modules() if isinstance(m, zg.nn.LeakyReLU)]
    assert len(leaky) == 4 and all(m.negative_slope == 0.01 for m in leaky)
    x, y = zg.randn(1, channels, side, side), zg.randn(1, channels, side, side)
    zero = zg.zeros(1, channels, side, side)
    additivity = discriminator(x + y) - discriminator(x) - discriminator(y) + discriminator(zero)
    assert abs(float(additivity.sum())) > 1e-4
    assert not isinstance(list(discriminator.children())[-1], zg.nn.Sigmoid)   # logits for BCE-with-logits


def _colour_folder(root, count, rng):
    from PIL import Image
    root.mkdir()
    for i in range(count):
        Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(root / f"{i:03d}.png")
    return root


def test_cli_trains_on_a_colour_image_folder(tmp_path, rng, monkeypatch):
    pytest.importorskip("PIL")
    monkeypatch.setenv("HOME", str(tmp_path))          # the image cache lives under ~/.cache
    folder = _colour_folder(tmp_path / "faces", 64, rng)
    assert main(["train", "dcgan", "--data", str(folder), "--size", "32", "--channels", "3", "--epochs", "1",
                 "--out", str(tmp_path / "run"), "--quiet"]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["run"]["image_shape"] == [3, 32, 32] and metrics["run"]["data"] == "folder:faces"
    assert "generated" not in metrics                   # no labels, so no classifier judge
    assert (tmp_path / "run" / "samples_epoch_001.png").stat().st_size > 1000
    assert list((tmp_path / ".cache" / "zengrad" / "image_folder").glob("*.npy"))


def test_article_gan_trains_on_a_small_folder(tmp_path, rng, monkeypatch):
    pytest.importorskip("PIL")
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = _colour_folder(tmp_path / "faces", 16, rng)
    options = _options(tmp_path / "run", epochs=1, data=str(folder))
    metrics = dcgan.train(options, arch="article", size="8", channels="3", batch_size=8, samples=16)
    assert metrics["run"]["arch"] == "article" and np.isfinite(metrics["final_loss_d"])
    weights = zg.load(tmp_path / "run" / "checkpoint.zg")["modules"]["generator"]
    assert weights["0.weight"].shape == (128 * 2 * 2, 32)
    with pytest.raises(ValueError, match="arch must be one of"):
        dcgan.train(_options(tmp_path / "other", epochs=1), arch="resnet")
