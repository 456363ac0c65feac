"""Isoflow: anomalous bank transaction detection."""
