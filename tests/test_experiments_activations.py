"""Chapter 7's experiments: the saved results are the scripts', complete,
and a small part of each trains again to the same numbers."""
from pathlib import Path

import pytest
import torch

from convlib import experiment, train

from _experiments import CURVES, assert_reproduces, script as _script

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("never", "zero_grad", "grad_never", "grad_active", "since",
         "revived")


@pytest.fixture(scope="module")
def scripts():
    return {name: _script(name) for name in
            ("activations_dying", "activations_speed",
             "activations_speed_lr")}


@pytest.mark.parametrize("name", ["activations_dying", "activations_speed",
                                  "activations_speed_lr"])
def test_saved_results_are_the_scripts_and_complete(scripts, name):
    spec = scripts[name].EXPERIMENT
    saved = experiment.load(name)
    assert saved.path == ROOT / f"convlib/experiment/saved/{name}.json"
    assert saved.config == spec.config()
    for variant in spec.variants:
        assert saved.seeds(variant) == list(spec.seeds)
        assert saved.curves(variant).shape == (len(spec.seeds),
                                               spec.training.epochs)


def test_the_speed_runs_use_the_rates_the_grid_chose(scripts):
    lr = scripts["activations_speed_lr"]
    chosen, _ = lr.choose_rates(experiment.load("activations_speed_lr"))
    assert chosen == scripts["activations_speed"].LEARNING_RATES
    assert set(lr.EXPERIMENT.seeds).isdisjoint(
        scripts["activations_speed"].EXPERIMENT.seeds)


def test_epochs_to_counts_from_one_and_past_the_end(scripts):
    epochs_to = scripts["activations_speed_lr"].epochs_to
    assert epochs_to([0.5, 0.91, 0.95]) == 2
    assert epochs_to([0.95]) == 1
    assert epochs_to([0.1, 0.2, 0.3]) == 4


def test_the_speed_networks_share_a_seeds_weights(scripts):
    spec = scripts["activations_speed"].EXPERIMENT
    nets = {}
    for name, variant in spec.variants.items():
        train.set_seed(3)
        nets[name] = variant.build()
    relu = nets["ReLU"].state_dict()
    for net in nets.values():
        assert sum(p.numel() for p in net.parameters()) == 6666
        for key, value in net.state_dict().items():
            assert torch.equal(value, relu[key])


def test_the_probe_counts_dead_units_of_a_known_network(scripts):
    dying = scripts["activations_dying"]
    ds = experiment.load("activations_dying")    # only for its data
    data = dying.EXPERIMENT.data()
    assert ds.config["data"]["function"] == "convlib.data.digits"
    net = dying.mlp("ReLU", 4)
    with torch.no_grad():
        for layer in (net[1], net[3]):
            layer.weight.zero_()
            layer.bias.copy_(torch.tensor([1.0, -1.0, -1.0, 1.0]))
    state = {}
    out = dying.unit_probe(net, data, state)
    assert out["never"] == 4 and out["zero_grad"] >= 4
    assert out["grad_never"] == 0.0 and out["since"] == 0


@pytest.mark.parametrize("name, variant", [
    ("activations_speed", "tanh"),
    ("activations_dying", "ReLU, 16, large")])
def test_saved_runs_reproduce(scripts, name, variant):
    keys = CURVES + (PROBE if name == "activations_dying" else ())
    assert_reproduces(scripts[name].EXPERIMENT, experiment.load(name),
                      variant, epochs=2, exact_keys=keys)
