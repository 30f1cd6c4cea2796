"""CML's ``cml`` namespace for code written for CML's runtimes; only ``cml.data_v1`` is offered.

Why here and not in ``workspace``: a data connection hands out the lab's lakehouse (Spark with
Iceberg and Sedona), which is the domain's; the platform never imports it.
"""
