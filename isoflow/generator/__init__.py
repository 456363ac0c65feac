"""Synthetic accounts and transactions a person would believe, with labelled anomalies.

Accounts get a profile (home country and currency, merchants, amounts, hours, weekly rhythm, salary and
bills) derived from their stored attributes; transactions follow it, and a few per thousand are injected
anomalies whose kind is kept as ground truth. Output is deterministic for a seed.
"""
