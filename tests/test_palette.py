"""convlib.palette stays distinguishable with colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based
model for simulation of color vision deficiency", full severity (1.0)
matrices for protanopia and deuteranopia, applied to linear sRGB.
Difference: CIEDE2000 (Sharma, Wu & Dalal 2005) in CIELAB (D65). Both are
written here with NumPy and checked against published values, so a wrong
formula cannot pass the palette.

Which colours must be told apart (the sets drawn side by side, each with
the white page) is documented in convlib/palette.py.
"""
import itertools

import numpy as np
import pytest

from convlib import palette

MIN_DE = 15
WHITE = "#FFFFFF"
VISIONS = ("normal", "deuteranopia", "protanopia")
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])
R = palette.ROLES
SIDE_BY_SIDE = {
    "series": [WHITE, *palette.SERIES],
    "grid fills": [WHITE, R["pad"], R["window"], R["kernel"], R["out"]],
    "coverage fills": [WHITE, R["pad"], R["hole"], R["kernel"]],
    "text and lines": [WHITE, R["line"], R["error"], R["muted"]],
}
FILLS = ("window", "pad", "kernel", "out", "hole")


def rgb(hex_colour):
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def linear(c):
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def gamma(c):
    return np.where(c <= 0.0031308, 12.92 * c,
                    1.055 * np.abs(c) ** (1 / 2.4) - 0.055)


def simulate(colour, vision):
    """sRGB in [0, 1] as seen with `vision` (Machado et al. 2009)."""
    if vision == "normal":
        return colour
    return gamma(np.clip(MACHADO[vision] @ linear(colour), 0, 1))


def lab(colour):
    """CIELAB (D65) of an sRGB colour in [0, 1]."""
    xyz = SRGB_TO_XYZ @ linear(colour) / D65
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16)
                 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]),
                     200 * (f[1] - f[2])])


def _mean_hue(h1, h2, product):
    if product == 0:
        return h1 + h2
    if abs(h1 - h2) <= 180:
        return (h1 + h2) / 2
    return (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2


def ciede2000(lab1, lab2):
    """CIEDE2000 colour difference (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360
    h2 = np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_bar, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
    h_bar = _mean_hue(h1, h2, c1 * c2)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30))
         + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6))
         - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    rot = 30 * np.exp(-((h_bar - 275) / 25) ** 2)
    r_t = (-2 * np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7))
           * np.sin(np.radians(2 * rot)))
    terms = ((l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h)
    return float(np.sqrt(terms[0] ** 2 + terms[1] ** 2 + terms[2] ** 2
                         + r_t * terms[1] * terms[2]))


def difference(c1, c2, vision):
    return ciede2000(lab(simulate(rgb(c1), vision)),
                     lab(simulate(rgb(c2), vision)))


# --- the tools are right -------------------------------------------------

@pytest.mark.parametrize("lab1, lab2, expected", [
    # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7, 13, 17, 25, 34
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0011), 7.2195),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
])
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_lab_of_known_colours():
    np.testing.assert_allclose(lab(rgb("#FFFFFF")), [100, 0, 0], atol=0.01)
    np.testing.assert_allclose(lab(rgb("#FF0000")),
                               [53.24, 80.09, 67.20], atol=0.05)


def test_the_simulation_merges_red_and_green_but_not_blue_and_yellow():
    # the classic confusion: with the deficiencies red and green collapse
    red, green = "#E41A1C", "#5A7D00"
    assert difference(red, green, "normal") > 50
    for vision in ("deuteranopia", "protanopia"):
        assert difference(red, green, vision) < 12
        assert difference("#0000FF", "#FFFF00", vision) > 50
    np.testing.assert_allclose(simulate(rgb("#808080"), "deuteranopia"),
                               rgb("#808080"), atol=0.01)  # greys stay


# --- the palette -------------------------------------------------------------

@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("name", list(SIDE_BY_SIDE))
def test_colours_drawn_side_by_side_stay_apart(name, vision):
    colours = SIDE_BY_SIDE[name]
    close = [(a, b, round(difference(a, b, vision), 1))
             for a, b in itertools.combinations(colours, 2)
             if difference(a, b, vision) < MIN_DE]
    assert not close, (f"{name} with {vision}: CIEDE2000 below {MIN_DE} "
                       f"for {close}")


def test_the_check_fails_on_okabe_ito_and_the_kits_old_tints():
    # the test can fail: the colours the palette replaced did fail it
    old = [("#D55E00", "#E69F00", "deuteranopia"),
           ("#0072B2", "#CC79A7", "protanopia"),
           ("#E0E0E0", "#FFFFFF", "normal")]
    assert all(difference(a, b, v) < MIN_DE for a, b, v in old)


@pytest.mark.parametrize("role", FILLS)
def test_fills_keep_black_text_readable(role):
    luminance = float(np.array([0.2126, 0.7152, 0.0722])
                      @ linear(rgb(R[role])))
    assert (luminance + 0.05) / 0.05 >= 7, f"{role} too dark for text"


def test_the_palette_api():
    assert len(palette.SERIES) == 8 and len(set(palette.SERIES)) == 8
    assert palette.series(0) == palette.SERIES[0]
    assert palette.series(len(palette.SERIES)) == palette.SERIES[0]
    config = palette.as_config()
    assert config == {"roles": dict(palette.ROLES),
                      "series": list(palette.SERIES)}
    for colour in [*palette.SERIES, *palette.ROLES.values()]:
        assert len(colour) == 7 and colour.startswith("#")
        rgb(colour)
