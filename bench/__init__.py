"""`python -m bench`: speed, cost and detection quality of Isoflow, measured beside baselines in one run."""
