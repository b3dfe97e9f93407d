"""Chamber-of-commerce skills-gap surveys: exports → submissions → canonical rows
→ weighted estimates.

``read_submissions`` reads KoboToolbox, Ona, ODK Briefcase/Central and plain
CSV/XLSX exports; ``mapping.load_mapping`` reads the per-survey YAML that says
which question is which canonical field; ``canonical.to_canonical`` applies it;
``estimates.estimate`` makes the weighted, reliability-flagged cells.
"""

from etl.sources.survey.readers import read_submissions
from etl.sources.survey.submission import RowProblem, Submission, SubmissionList
from etl.sources.survey.tables import SurveyReadError

__all__ = ["RowProblem", "Submission", "SubmissionList", "SurveyReadError", "read_submissions"]
