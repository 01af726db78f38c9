"""The results layer: scorecards, their ledger lines, and the tables every result shares.

Import the public names from :mod:`kpiscore`; these module paths are internal.
"""
