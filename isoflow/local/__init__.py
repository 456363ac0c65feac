"""The local runtime: the whole system on one machine, with moto as the AWS endpoint and the real handlers.

`isoflow local` (`make run`) starts it; `tests/conftest.py` starts the same pieces on free ports.
"""

from aws_lambda_powertools import Logger

# The local runtime's own lines (start-up, the scheduler, invocations), apart from the product's.
logger = Logger(service="isoflow-local")
