"""The logistics domain: fleet simulator, lakehouse access, geospatial analysis, time-series models.

Nothing in this package knows about HTTP or the workspace service; the numbered scripts wire it to
tables, parameters and output paths.
"""
