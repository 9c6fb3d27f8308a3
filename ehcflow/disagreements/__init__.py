"""Disagreements and appeals."""
