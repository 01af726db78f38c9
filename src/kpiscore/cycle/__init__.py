"""The cycle layer: what an agency does around scoring — work items, the working calendar,
roll-up, quota, payout and policy variants.

Each public module has its face at the top of the package (:mod:`kpiscore.work`,
:mod:`kpiscore.calendar`, :mod:`kpiscore.rollup`, :mod:`kpiscore.quota`, :mod:`kpiscore.payout`,
:mod:`kpiscore.variants`); the implementation lives here.
"""
