"""How good are generated images? Class coverage, confidence and a Fréchet distance.

A classifier trained on the real images (:mod:`.classifier`) judges a set of generated ones:
``judge`` reports how many classes appear and how sure the classifier is; the Fréchet distance
compares the distributions of the classifier's hidden features (its 64-unit last hidden layer)
for real and generated images, each summarised by a Gaussian N(μ, Σ):

    FD = ‖μ_r − μ_g‖² + Tr(Σ_r + Σ_g − 2 (Σ_r Σ_g)^{1/2})

This is the FID of Heusel et al. (2017) with the small digit classifier in place of Inception,
so its values compare runs on the same data and classifier, not with published FIDs. Σ_r Σ_g is
not symmetric, but it is similar to the symmetric positive semi-definite
M = Σ_r^{1/2} Σ_g Σ_r^{1/2} (conjugate by Σ_r^{1/2}), so Tr (Σ_r Σ_g)^{1/2} = Tr M^{1/2} = Σᵢ √λᵢ(M):
two symmetric eigendecompositions, no scipy.
"""

from __future__ import annotations

import numpy as np

from .classifier import features, judge


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root V diag(√λ) Vᵀ of a symmetric positive semi-definite matrix
    (eigenvalues below 0, rounding errors, are treated as 0)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance_from_statistics(mu_r, sigma_r, mu_g, sigma_g) -> float:
    """FD between N(μ_r, Σ_r) and N(μ_g, Σ_g) (see the module docstring)."""
    root_r = _psd_sqrt(sigma_r)
    middle = root_r @ sigma_g @ root_r
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    difference = mu_r - mu_g
    return float(difference @ difference + np.trace(sigma_r) + np.trace(sigma_g) - 2 * trace_root)


def frechet_distance(real_features: np.ndarray, generated_features: np.ndarray) -> float:
    """FD between two sets of feature vectors (rows), each fitted with its mean and covariance."""
    real, generated = np.asarray(real_features, np.float64), np.asarray(generated_features, np.float64)
    if real.ndim != 2 or generated.ndim != 2 or real.shape[1] != generated.shape[1]:
        raise ValueError(f"frechet_distance: expected two (samples, features) arrays with the same number "
                         f"of features, got shapes {real.shape} and {generated.shape}")
    if min(len(real), len(generated)) < 2:
        raise ValueError("frechet_distance: each set needs at least 2 samples for a covariance")
    return frechet_distance_from_statistics(real.mean(axis=0), np.cov(real, rowvar=False),
                                            generated.mean(axis=0), np.cov(generated, rowvar=False))


def assess(classifier, generated: np.ndarray, real: np.ndarray, device: str = "cpu", seed: int = 0) -> dict:
    """judge() of the generated images with their FD to all ``real`` images, and the same for a
    real reference: judge() of as many real images, and the FD between two random halves of the
    real set (the distance sampling noise alone gives; a perfect generator lands near it)."""
    real_features = features(classifier, real, device)
    generated_quality = judge(classifier, generated, device)
    generated_quality["frechet_distance"] = frechet_distance(real_features, features(classifier, generated, device))
    order = np.random.default_rng(seed).permutation(len(real))
    half = len(real) // 2
    real_quality = judge(classifier, real[:len(generated)], device)
    real_quality["frechet_distance"] = frechet_distance(real_features[order[:half]], real_features[order[half:]])
    return {"generated": generated_quality, "real_reference": real_quality}
