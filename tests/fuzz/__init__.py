"""Fuzz tests (hypothesis): bad record, instrument and config files end in a clear error."""
