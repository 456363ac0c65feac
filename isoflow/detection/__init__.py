"""Detection: the work of each state of the detection state machine (see `isoflow.workflow`).

`find` lists the stale accounts and writes the batches to score; `score` scores a batch's accounts;
`clear` records their risk and clears their stale flags; `record` sums the batches into the run summary.
`files` keeps a run's manifest and per-batch results in the data bucket, and the account models between runs.
"""
