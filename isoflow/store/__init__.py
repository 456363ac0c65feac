"""The DynamoDB access layer shared by the API, the generator and the detector.

Every function takes a `Db` first. Items go in and come out as plain dicts with the API's camelCase names;
numbers come out as int or float.
"""
