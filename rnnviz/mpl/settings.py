"""How clipping settings look: one setting, one look, in the training-run figure and the clipped-vector pictures."""

# One look per setting, in order; "size" scales the theme's marker size. The first is a hollow ring, larger than the
# others, so it shows around them where every setting starts from the same point. A setting has no palette meaning:
# "color" names a theme neutral (ink or muted), and markers and dashes tell the settings apart.
SETTING_STYLES = (
    {"color": "text", "marker": "o", "markerfacecolor": "none", "size": 1.8, "zorder": 3},
    {"color": "muted", "marker": "s", "linestyle": "-"},
    {"color": "text", "marker": "^", "linestyle": "--"},
    {"color": "muted", "marker": "D", "linestyle": ":"},
)
