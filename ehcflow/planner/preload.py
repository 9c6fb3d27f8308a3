"""Imported once by the planner's forkserver (``engine._pool_context``).

It loads the compiled kernel there (from Numba's cache, or compiling it), so every worker
process forked from the server starts with the machine code already in memory instead of
loading it again for each run.
"""

from ehcflow.planner.engine import warm

warm()
