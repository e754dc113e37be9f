# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Does vectorizing the gradient step pay, here?
#
# A well-known course note computes one gradient step of logistic regression three ways and
# claims that the partly vectorized version (one loop, over examples) is "~10x" faster than
# two explicit loops, and the fully vectorized one (`Z = wᵀX + b; A = σ(Z); dZ = A − Y;
# dw = X dZᵀ/m; db = ΣdZ/m`) "~300x". This notebook tests both claims on this machine in
# about two minutes, then times **your own** step, written the course's way, against the
# loops. Every speedup comes with a 95% interval; a point *holds* a claim when its whole
# interval lies within a factor 2 of it.

# %% tags=["parameters"]
# What to sweep: the first-look preset (sizes around the lecture's, m=1,000 and n_x=100),
# or your own sizes. CI runs this notebook with smaller ones.
M = None  # e.g. [100, 1000, 10000]
N_X = None  # e.g. [10, 100, 1000]
PASSES = None  # the preset's: 5

# %% [markdown]
# ## The claims, here
#
# `bench.compare` sweeps the course's loops (`course_two_loop`, `course_one_loop`), the
# fastest honest pure-Python loop (`two_loop`), numpy over features (`one_loop`) and the
# vectorized step, in passes, and answers as our README does.

# %%
import numpy as np
from IPython.display import Image

import bench

first = bench.compare(m=M, n_x=N_X, passes=PASSES, folder="my-results/first-look")
first

# %%
Image(str(first.heatmap))

# %% [markdown]
# ## Your step
#
# Write the step as the course does: `w` of shape (n_x, 1), `b` a number, `X` of shape
# (n_x, m) with one example per column, `Y` of shape (1, m); return `dw`, `db` and the cost
# (a tuple, or the course's dict `{"dw": dw, "db": db}` with the cost beside it). Before
# anything is timed it is checked against a high-precision reference: a wrong `db` is
# refused, naming `db`, the size and how far off it is.


# %%
def my_step(w, b, X, Y):
    """One loop over the examples, numpy over the features: the course's partly vectorized
    step."""
    n_x, m = X.shape
    dw = np.zeros((n_x, 1))
    db = 0.0
    cost = 0.0
    for i in range(m):
        z = (w.T @ X[:, i : i + 1]).item() + b
        a = 1 / (1 + np.exp(-z))
        cost -= Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a)
        dz = a - Y[0, i]
        dw += X[:, i : i + 1] * dz
        db += dz
    return {"dw": dw / m, "db": db / m}, cost / m


mine = bench.compare({"my_step": my_step}, m=M, n_x=N_X, passes=PASSES)
mine

# %% [markdown]
# The report, with every point and interval, is in `mine.report` (Markdown) and `mine.page`
# (one page that works offline); the table of times is `mine.table`.

# %%
mine.table[mine.table["backend"] == "my_step"][["m", "n_x", "median_s", "status"]]
