"""Families and young people."""
