"""The book's one palette: the colours of figures (`convlib.plot`) and of
the demos (the kit receives these values, see `convlib.widgets`).

One concept has one colour across a chapter's figures and its demo. Two
kinds of colour:

- `ROLES`: what a colour means in grids and pictures (the window being
  read, padding, the kernel, an output cell, a hole, an error, ...);
- `SERIES`: an ordered list for things that only need telling apart
  (groups, curves, networks). Based on Okabe & Ito's colour-blind-safe
  set; meaning is never carried by colour alone (labels, markers, line
  styles carry it too).

Nothing here imports matplotlib or ipywidgets.
"""

# Categorical colours, in the order a figure or demo uses them.
SERIES = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

# Colours with a meaning, used the same way in every figure and demo.
ROLES = {
    "window": "#ffd54f",   # the window (input cells being read)
    "pad": "#e0e0e0",      # padding cells
    "kernel": "#bbdefb",   # kernel taps
    "out": "#c8e6c9",      # output cells already computed
    "hole": "#f4a582",     # input cells no output reads (holes)
    "error": "#b00020",    # error text
    "line": "#0072B2",     # connections and the main curve
    "muted": "#6b6b6b",    # secondary text, cells outside the input
    "grid": "#666666",     # cell borders
}


def series(i):
    """The i-th categorical colour (cycling)."""
    return SERIES[i % len(SERIES)]


def as_config():
    """The palette as plain data for a demo's config."""
    return {"roles": dict(ROLES), "series": list(SERIES)}
