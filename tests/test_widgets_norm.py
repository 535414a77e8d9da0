"""convlib.widgets.norm: the normalisation explorer and its JavaScript.

`norm_report` is checked against torch.nn.functional (the output of
every normalisation) and against a direct reading of which values share
statistics (the members, their mean and biased variance); the demo's
config is held equal to `norm_report` over every setting the controls
offer; in headless chromium the drawn demo is driven by keyboard alone
and its live region must follow.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib.widgets import NORM_INPUT, norm_explorer, norm_report
from convlib.widgets.norm import (explorer_config, running_stats,
                                  setting_key, settings)
from _demo_page import mount

PICKS = [(n, c) for n in range(4) for c in range(4)]


def _torch(kind, training, groups):
    x = torch.tensor(NORM_INPUT)
    if kind == "batch":
        mean, var = (torch.tensor(v) for v in running_stats())
        return F.batch_norm(x, mean, var, training=training, eps=1e-5)
    if kind == "layer":
        return F.layer_norm(x, x.shape[1:], eps=1e-5)
    if kind == "instance":
        return F.instance_norm(x, eps=1e-5)
    return F.group_norm(x, groups, eps=1e-5)


@pytest.mark.parametrize("setting", settings(), ids=str)
def test_output_is_torchs(setting):
    rep = norm_report(*setting)
    np.testing.assert_allclose(rep.output, _torch(*setting).numpy(),
                               rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("setting", settings(), ids=str)
@pytest.mark.parametrize("n, c", PICKS)
def test_statistics_normalise_the_picked_value(setting, n, c):
    rep = norm_report(*setting, sample=n, channel=c)
    expected = (NORM_INPUT[n, c] - rep.mean) / np.sqrt(rep.var + 1e-5)
    np.testing.assert_allclose(rep.output[n, c], expected, rtol=1e-9)
    assert rep.count == 4 * len(rep.members)
    assert (n, c) in rep.members or rep.members == []


def test_members_are_the_four_choices():
    assert norm_report("batch", sample=1, channel=2).members == [
        (0, 2), (1, 2), (2, 2), (3, 2)]
    assert norm_report("layer", sample=1, channel=2).members == [
        (1, 0), (1, 1), (1, 2), (1, 3)]
    assert norm_report("instance", sample=1, channel=2).members == [(1, 2)]
    assert norm_report("group", groups=2, sample=1, channel=2).members == [
        (1, 2), (1, 3)]
    assert norm_report("batch", training=False).members == []


def test_running_statistics_follow_torchs_momentum():
    mean, var = running_stats()
    # 30 updates from (0, 1) with momentum 0.1 towards the level of each
    # channel (4.5 + 10 c); the unbiased variance of 0..9 is 8.25 + ...
    assert np.all(np.abs(mean - (4.5 + 10 * np.arange(4)) * (1 - 0.9 ** 30))
                  < 1.0)
    assert np.all((var > 6) & (var < 11))


def test_config_is_norm_report_over_every_setting():
    config = explorer_config()
    for setting in settings():
        table = config["settings"][setting_key(*setting)]
        for n, c in PICKS:
            rep = norm_report(*setting, sample=n, channel=c)
            assert table["text"]["en"][n][c] == rep.text
            chinese = norm_report(*setting, sample=n, channel=c, lang="zh")
            assert table["text"]["zh"][n][c] == chinese.text != rep.text
            assert table["members"][n][c] == [list(m) for m in rep.members]
        np.testing.assert_allclose(table["output"], rep.output, atol=1e-4)


@pytest.mark.parametrize("kwargs, name", [
    ({"kind": "weight"}, "kind"), ({"kind": "group", "groups": 3}, "groups"),
    ({"sample": 4}, "sample"), ({"channel": -1}, "channel")])
def test_bad_settings_name_the_argument(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        norm_report(**kwargs)


def _text(root):
    return root.locator(".cl-result").inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_demo_follows_the_keyboard_and_announces_the_result(page, how):
    root = mount(page, norm_explorer(), how)
    live = root.locator(".cl-result")
    assert live.get_attribute("aria-live") == "polite"
    assert _text(root) == norm_report("batch", True, 2, 0, 0).text
    assert root.locator(".cl-member").count() == 4
    # every control is a labelled <select>: reach it with Tab, change it
    # with the arrow keys
    for field in ("kind", "mode", "sample", "channel", "show"):
        control = root.locator(f"[data-field='{field}']")
        assert control.evaluate("e => e.closest('label') !== null")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.field") == "kind"
    page.keyboard.press("ArrowDown")          # batch -> layer
    assert _text(root) == norm_report("layer", True, 2, 0, 0).text
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")          # -> group, its control
    assert _text(root) == norm_report("group", True, 2, 0, 0).text
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.field") == "groups"
    page.keyboard.press("ArrowDown")          # 2 -> 4 groups
    assert _text(root) == norm_report("group", True, 4, 0, 0).text
    assert root.locator(".cl-member").count() == 1
    for _ in range(3):                        # mode, sample, channel
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.field") == \
        "channel"
    page.keyboard.press("ArrowDown")
    assert _text(root) == norm_report("group", True, 4, 0, 1).text
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")          # show the output
    first = root.locator(".cl-picked td").first.inner_text()
    expected = norm_report("group", True, 4, 0, 1).output[0, 1, 0, 0]
    assert float(first.replace("\u2212", "-")) == pytest.approx(
        expected, abs=0.006)


@pytest.mark.browser
def test_evaluation_mode_uses_the_running_statistics(page):
    root = mount(page, norm_explorer())
    root.locator("[data-field='mode']").select_option("eval")
    assert _text(root) == norm_report("batch", False, 2, 0, 0).text
    assert root.locator(".cl-member").count() == 0
    assert root.locator(".cl-picked").count() == 1
