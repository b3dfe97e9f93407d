"""The labour-market bulletin: a static HTML page with charts, from the published tables.

``build_report(engine, language=..., release=..., out_dir=...)`` is what the publish DAG
and ``lmis report`` call; see docs/report.md.
"""

from etl.report.build import build_report
from etl.report.data import ReportDataError

__all__ = ["ReportDataError", "build_report"]
