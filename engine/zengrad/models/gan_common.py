"""What the image GAN trainers (:mod:`.gan`, :mod:`.dcgan`) share: sampling a generator, the
judge of its samples, and the report (metrics.json and the samples-and-losses figure).

The judge is the digit classifier of :mod:`.classifier` (class coverage, confidence and a Fréchet
distance in its feature space, see :mod:`.quality`); it needs labelled images, so a run on an
unlabelled image folder reports its losses and sample grids only.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..creation import randn
from ..grad_mode import no_grad
from ..viz import image_grid
from .classifier import train_classifier
from .quality import assess
from .run import RunFolder, RunOptions, pyplot, run_info


def generate(generator, count: int, latent_dim: int, shape: tuple, device: str) -> np.ndarray:
    """``count`` samples of ``generator`` (in eval mode, without a graph) as a NumPy array of ``shape``."""
    with no_grad():
        generator.eval()
        images = generator(randn(count, latent_dim, device=device)).cpu().numpy()
        generator.train()
    return images.reshape((count,) + tuple(shape))


def report(run: RunFolder, options: RunOptions, dataset, sample: Callable[[], np.ndarray], history: dict,
           run_details: dict, ylabel: str = "binary cross-entropy") -> dict:
    """Judge the images ``sample()`` returns against ``dataset`` (when it has labels), write
    metrics.json and ``samples_and_losses.png``; returns the metrics.

    ``sample`` is called after the judge is trained (the judge reseeds zengrad's generator, so
    the samples of a seed are the same from run to run). ``run_details`` go into the metrics'
    ``run`` block (model, epochs, seconds, settings).
    """
    metrics = {"run": run_info(options, data=dataset.name, **run_details)}
    if dataset.labels is None:
        generated = sample()
    else:
        classifier, accuracy = train_classifier(dataset, seed=options.seed, device=options.device)
        generated = sample()
        assessed = assess(classifier, generated, dataset.images, options.device, options.seed)
        metrics.update(classifier_test_accuracy=accuracy, generated=assessed["generated"],
                       real_reference=assessed["real_reference"])
    metrics.update(final_loss_d=history["loss_d"][-1] if history["loss_d"] else None,
                   final_loss_g=history["loss_g"][-1] if history["loss_g"] else None)
    plot_samples_and_losses(run.figure("samples_and_losses.png"), generated[:100], history, ylabel)
    run.write_metrics(metrics)
    return metrics


def show_images(axes, images: np.ndarray) -> None:
    """A grid of images on ``axes``: (N, H, W) in gray (ink dark), (N, C, H, W) with C = 1 or 3."""
    if images.ndim == 4 and images.shape[1] == 3:
        colour = np.stack([image_grid(images[:, channel]) for channel in range(3)], axis=-1)
        axes.imshow(np.clip(colour, 0, 1), interpolation="nearest")
    else:
        axes.imshow(image_grid(images.reshape((len(images),) + images.shape[-2:])), cmap="gray_r",
                    interpolation="nearest", vmin=0, vmax=1)
    axes.set(xticks=[], yticks=[])


def plot_samples_and_losses(path, images: np.ndarray, history: dict, ylabel: str = "binary cross-entropy") -> None:
    """Two panels: a grid of generated images, and both players' losses per epoch."""
    plt = pyplot()
    figure = plt.figure(figsize=(11, 5))
    show_images(figure.add_subplot(1, 2, 1), images)
    figure.axes[0].set(title="generated samples")
    curves = figure.add_subplot(1, 2, 2)
    curves.plot(history["loss_d"], label="discriminator")
    curves.plot(history["loss_g"], label="generator")
    curves.set(title="losses per epoch", xlabel="epoch", ylabel=ylabel)
    curves.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
