"""The engine layer: a policy compiled once, the exact per-person engine, the columnar engine.

Imports the model and builds results; never knows about files, pandas' readers or the terminal.
Import the public names from :mod:`kpiscore`; these module paths are internal.
"""
