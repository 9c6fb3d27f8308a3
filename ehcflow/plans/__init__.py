"""EHC plan documents."""
