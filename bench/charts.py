"""Grouped bar charts of ratios (throughput or RSS against a reference allocator) through
matplotlib, as PNG and SVG side by side. Used by compare.py.

matplotlib comes from Debian (python3-matplotlib, installed by tools/setup.sh); it is
imported on first use, so the rest of the runner works without it.
"""

import math


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    return plt


def write_charts(stem, title, subtitle, panels, series, colours):
    """Draws one panel per entry of panels, (title, groups, values, labels, reference name)
    with values[g][s] a ratio or None, stacked, and writes stem.png and stem.svg. Bars
    grow up or down from 1.0 on a log2 axis and carry their ratio; labels[g][s] (the
    measured figure) becomes the bar's id in the SVG. Returns the paths written."""
    plt = _pyplot()
    n_groups = max(len(p[1]) for p in panels)
    width = max(8.0, 1.0 + n_groups * (0.16 * len(series) + 0.3))
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, 4.4 * len(panels) + 1.0),
                             squeeze=False, constrained_layout=True)
    bar_w = 0.8 / max(len(series), 1)
    for ax, (p_title, groups, values, labels, ref) in zip(axes[:, 0], panels):
        ratios = [v for row in values for v in row if v]
        lo2 = math.floor(math.log2(min([0.5] + ratios)))
        hi2 = math.ceil(math.log2(max([2.0] + ratios)))
        ax.set_yscale("log", base=2)
        ax.set_ylim(2.0**(lo2 - 0.5), 2.0**(hi2 + 0.5))  # room for the bars' figures
        ticks = [2.0**e for e in range(lo2, hi2 + 1)]
        ax.set_yticks(ticks)
        ax.set_yticklabels([("%g" % t if t >= 1 else "1/%d" % round(1 / t)) + "x" for t in ticks])
        ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for si, (name, colour) in enumerate(zip(series, colours)):
            xs, heights, bottoms, tips = [], [], [], []
            for gi in range(len(groups)):
                v = values[gi][si]
                x = gi + (si - (len(series) - 1) / 2.0) * bar_w
                if not v:  # failed or not run
                    ax.text(x, 1.04, "n/a", rotation=90, ha="center", va="bottom", fontsize=7,
                            color="#999999")
                    continue
                xs.append(x)
                bottoms.append(min(v, 1.0))
                heights.append(abs(v - 1.0) or 1e-3)
                tips.append((v, labels[gi][si]))
            bars = ax.bar(xs, heights, bar_w * 0.92, bottom=bottoms, color=colour, label=name)
            for bar, (v, label) in zip(bars, tips):
                bar.set_gid("%s: %s" % (name, label))
                y = v * 1.04 if v >= 1.0 else v / 1.04
                ax.text(bar.get_x() + bar.get_width() / 2, y, "%.2f" % v, rotation=90,
                        ha="center", va="bottom" if v >= 1.0 else "top", fontsize=7,
                        clip_on=True)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=9)
        ax.set_xlim(-0.6, len(groups) - 0.4)
        # The first panel's title leaves room for the legend under it.
        ax.set_title(p_title, fontsize=12, loc="left", pad=24 if ax is axes[0, 0] else 6)
        ax.set_ylabel("ratio to %s (log scale)" % ref, fontsize=10)
    axes[0, 0].legend(ncol=len(series), fontsize=9, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                      frameon=False, borderaxespad=0.1, handlelength=1.2, columnspacing=1.2)
    fig.suptitle("%s\n%s" % (title, subtitle), fontsize=13, x=0.01, ha="left")
    paths = [stem + ".png", stem + ".svg"]
    fig.savefig(paths[0], dpi=120)
    fig.savefig(paths[1])
    plt.close(fig)
    return paths
