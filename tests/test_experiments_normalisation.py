"""Chapter 9's experiments: the networks, the saved results, a re-run.

experiments/norm_mnist1d.py (batch norm against group norm at batch
sizes 32, 4 and 2; batch norm tested in training mode) and
experiments/dropout_mnist1d.py (dropout tested in evaluation and in
training mode). The "train-mode" variants must train exactly as the
network they wrap (the pairing the chapter relies on), and one saved
run of each experiment is trained again for 2 epochs and compared (bit
for bit on the machine that made the file, else within the spread of
its seeds: tests/_experiments.py).
"""

import pytest
import torch

from convlib import experiment, train

from _experiments import assert_reproduces, script as _script


NORM = _script("norm_mnist1d")
DROP = _script("dropout_mnist1d")


def _weights(net):
    inner = getattr(net, "net", net)
    return [p.detach().clone() for p in inner.parameters()]


@pytest.mark.parametrize("spec, params", [(NORM.EXPERIMENT, 6762),
                                          (DROP.EXPERIMENT, 78858)])
def test_a_seed_gives_every_variant_the_same_weights(spec, params):
    nets = {}
    for name, variant in spec.variants.items():
        train.set_seed(3)
        nets[name] = variant.build()
    first = _weights(next(iter(nets.values())))
    for net in nets.values():
        assert sum(p.numel() for p in net.parameters()) == params
        assert all(torch.equal(a, b) for a, b in zip(first, _weights(net)))


def test_train_mode_wrappers_train_as_their_network():
    train.set_seed(0)
    buggy = NORM.buggy_net(1)
    train.set_seed(0)
    plain = NORM.norm_net("batch")
    x = torch.randn(8, 1, 40)
    buggy.train()
    plain.train()
    assert torch.equal(buggy(x), plain(x))
    buggy.eval()
    plain.eval()
    with torch.no_grad():
        wrong, right = buggy(x), plain(x)
    assert not torch.allclose(wrong, right)      # batch statistics used
    assert not buggy.net.training                 # left in eval mode


def test_dropout_wrapper_keeps_the_random_state():
    net = DROP.buggy_mlp(0.5).eval()
    x = torch.randn(4, 1, 40)
    state = torch.random.get_rng_state()
    with torch.no_grad():
        a, b = net(x), net(x)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a, b)          # the same mask: the state was kept
    net.train()
    with torch.no_grad():
        assert not torch.equal(net(x), net(x))


@pytest.mark.parametrize("module", [NORM, DROP], ids=["norm", "dropout"])
def test_saved_results_are_the_scripts(module):
    spec = module.EXPERIMENT
    saved = experiment.load(spec.name)
    assert saved.config == spec.config()
    for variant in spec.variants:
        assert saved.seeds(variant) == list(spec.seeds)
        assert saved.curves(variant).shape == (len(spec.seeds),
                                               spec.training.epochs)


@pytest.mark.parametrize("module, variant", [(NORM, "GN b32"),
                                             (DROP, "p=0.5")],
                         ids=["norm", "dropout"])
def test_a_saved_run_reproduces(module, variant):
    assert_reproduces(module.EXPERIMENT,
                      experiment.load(module.EXPERIMENT.name), variant,
                      epochs=2)
