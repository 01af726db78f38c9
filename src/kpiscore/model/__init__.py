"""The model layer: exact numbers, periods, facts, policies (and their tree form), the schema.

Imports nothing else of kpiscore but :mod:`kpiscore.exceptions` and :mod:`kpiscore._extras`.
Import the public names from :mod:`kpiscore`; these module paths are internal.
"""
