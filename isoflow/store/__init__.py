"""The DynamoDB access layer shared by the API, the generator and the detector.

Every function takes a `Db` first. Accounts, transactions and scores are read and written as the frozen records
of `isoflow.store.records`; a transaction joined with its score for the API, and the other items, are plain
dicts with the same camelCase names.
"""
