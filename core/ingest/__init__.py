"""Reading and validating uploads — daily logs (日报), roster (花名册) and monthly targets (目标分解) — and
storing them through ``core.store.logs`` only when nothing is wrong.

Pipeline: :func:`safety.check_upload` (hostile-file checks) → :func:`readers.read_workbook` (bytes → grids) →
:func:`locate.locate` (each sheet's header row, found by its content, mapped onto ``core.schema``'s fields) →
``parse_daily`` / ``parse_roster`` / ``parse_targets`` (every cell parsed and validated; managers identified by
:mod:`identify`) → :func:`importer.import_files` (stored with ``apply_daily`` / ``apply_roster`` /
``apply_targets`` in one transaction, or nothing at all when there is any error).

Every :class:`Problem` carries the file, sheet, Excel row, the header as written and the value seen, and renders
its message in Chinese or English from ``core/locales/ingest.yaml``; :func:`problems_report_xlsx` gives the
uploaded data back with the bad cells highlighted. Blank templates: :mod:`templates`. Export of stored rows:
:mod:`core.export`.
"""
from core.ingest.daily import parse_daily
from core.ingest.importer import KINDS, import_files, sha256_of
from core.ingest.problems import ImportOutcome, ParseResult, Problem
from core.ingest.report_xlsx import problems_report_xlsx
from core.ingest.roster import parse_roster
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits, check_upload
from core.ingest.targets import parse_targets
from core.ingest.templates import template_fields, template_xlsx

__all__ = ["DEFAULT_LIMITS", "KINDS", "ImportOutcome", "ParseResult", "Problem", "UploadLimits", "check_upload",
           "import_files", "parse_daily", "parse_roster", "parse_targets", "problems_report_xlsx", "sha256_of",
           "template_fields", "template_xlsx"]
