"""Published data shipped with ehcflow, and the script that trims a DfE release to it."""
