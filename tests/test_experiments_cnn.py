"""Chapter 8's experiments: the saved results are the scripts', their
settings are the ones the validation files choose, and a small part of
them trains again to the same numbers (experiments/cnn_digits.py,
cnn_digits_schedule.py, cnn_mnist1d.py)."""

import pytest

from convlib import experiment

from _experiments import assert_reproduces, script as _script


@pytest.fixture(scope="module")
def digits():
    return _script("cnn_digits")


@pytest.fixture(scope="module")
def mnist1d():
    return _script("cnn_mnist1d").EXPERIMENT


def test_saved_digits_results_are_the_scripts_and_flat(digits):
    params = {"CNN": 1898, "MLP": 4810, "logistic": 650}
    for split, spec in digits.EXPERIMENTS.items():
        saved = experiment.load(f"cnn_digits_split{split}")
        assert saved.config == spec.config()
        for variant in spec.variants:
            assert saved.seeds(variant) == [0, 1, 2]
            assert saved.curves(variant).shape == (3, digits.EPOCHS)
            assert saved.params(variant) == params[variant]
            # the chapter's check: flat within 0.5 points at the end
            assert abs(saved.convergence(variant).change) < 0.5


def test_the_rates_and_epochs_are_the_ones_validation_chooses(digits):
    rates, epochs, _ = _script("cnn_digits_schedule").choose()
    assert rates == digits.LEARNING_RATES
    assert epochs == digits.EPOCHS
    for lr in (0.003, 0.01, 0.03):
        results = experiment.load(
            f"cnn_digits_split0-validation-epochs60-lr{lr}")
        assert results.split == "validation"
        assert "test_acc" not in results.runs[0]   # the test set unseen


@pytest.mark.parametrize("variant", ["CNN", "MLP", "logistic"])
def test_saved_digits_runs_reproduce(digits, variant):
    saved = experiment.load("cnn_digits_split0")
    assert_reproduces(digits.EXPERIMENTS[0], saved, variant, epochs=2)


def test_saved_mnist1d_results_are_the_scripts_and_reproduce(mnist1d):
    saved = experiment.load("cnn_mnist1d")
    assert saved.config == mnist1d.config()
    for variant in mnist1d.variants:
        assert saved.seeds(variant) == list(range(10))
        assert saved.convergence(variant).converged
    assert_reproduces(mnist1d, saved, "CNN", epochs=1)
