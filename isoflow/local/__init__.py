"""The local runtime: the whole system on one machine, with moto as the AWS endpoint and the real handlers.

`isoflow local` (`make run`) starts it; `tests/conftest.py` starts the same pieces on free ports.
"""
