"""Tamper-evident audit: hash chains over the case events and the access log.

See `chain.py` (how rows are linked), `verify.py` (checking the links), `disposal.py`
(removing rows at the end of retention without breaking the chain) and decision 0008.
"""
