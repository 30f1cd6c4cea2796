# %% [markdown]
# # Explore
# A DEV-style step in jupytext percent format: a script for jobs, a notebook in a session.

# %%
import os

greeting = os.environ.get("GREETING", "")

# %%
print(greeting.upper())
