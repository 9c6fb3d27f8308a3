"""Reviews and phase transfers."""
