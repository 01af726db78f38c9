"""The edges: policy files, fact readers (careful and fast), rendering, bundled files.

Reached from the layer that needs it; the engine never imports it for scoring.
Import the public names from :mod:`kpiscore`; these module paths are internal.
"""
