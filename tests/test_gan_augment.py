"""GAN samples as training data: the labelled slice, the conditional networks, the synthetic set
and a tiny run of the whole protocol."""

import numpy as np
import pytest

import zengrad as zg
from zengrad.data import ImageDataset, digits
from zengrad.models import gan_augment


def test_labelled_slice_takes_the_same_number_of_each_class():
    pool, _ = digits().split(0.8, seed=3)
    small = gan_augment.labelled_slice(pool, 7, seed=3)
    assert np.bincount(small.labels, minlength=10).tolist() == [7] * 10
    rows = {image.tobytes() for image in pool.images}
    assert all(image.tobytes() in rows for image in small.images)       # drawn from the pool only
    few = ImageDataset(pool.images[:30], pool.labels[:30])
    with pytest.raises(ValueError, match="fewer than"):
        gan_augment.labelled_slice(few, 20, seed=0)


def test_conditional_networks_use_the_label():
    zg.manual_seed(0)
    generator = gan_augment.ConditionalGenerator(latent_dim=5, pixels=64)
    discriminator = gan_augment.ConditionalDiscriminator(pixels=64)
    noise = zg.randn(3, 5)
    as_zero = generator(noise, zg.tensor(gan_augment.one_hot([0, 0, 0])))
    as_seven = generator(noise, zg.tensor(gan_augment.one_hot([7, 7, 7])))
    assert as_zero.shape == (3, 64) and not np.allclose(as_zero.detach().numpy(), as_seven.detach().numpy())
    assert discriminator(as_zero, zg.tensor(gan_augment.one_hot([0, 1, 2]))).shape == (3, 1)
    np.testing.assert_array_equal(gan_augment.one_hot([2, 0]), np.eye(10, dtype=np.float32)[[2, 0]])


def test_synthetic_set_is_labelled_by_the_class_asked_for():
    zg.manual_seed(0)
    generator = gan_augment.ConditionalGenerator(latent_dim=32, pixels=64)
    synthetic = gan_augment.synthesise(generator, 4, (8, 8))
    assert synthetic.images.shape == (40, 8, 8) and synthetic.labels.tolist() == sorted(list(range(10)) * 4)
    assert 0 <= synthetic.images.min() and synthetic.images.max() <= 1


def test_tiny_experiment_and_summary():
    result = gan_augment.experiment(seed=1, per_class=3, synthetic_per_class=2, gan_steps=3, classifier_steps=3)
    assert set(result["accuracy"]) == {"slice", "slice+gan", "all_real"}
    assert all(0 <= value <= 1 for value in result["accuracy"].values())
    assert result["test_size"] == len(digits()) - round(0.8 * len(digits()))
    runs = [{"accuracy": {"a": value}} for value in (0.5, 0.7, 0.9)]
    summary = gan_augment.summary(runs)["a"]
    assert summary["mean"] == pytest.approx(0.7) and summary["sd"] == pytest.approx(np.std([0.5, 0.7, 0.9], ddof=1))
