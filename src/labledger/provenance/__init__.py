"""Provenance: what every derived number was computed from, by what code, when and where."""
