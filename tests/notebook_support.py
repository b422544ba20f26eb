"""Paths and expectations shared by the notebook and report tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "notebooks" / "00_tour.ipynb"
CLIENT_REPORT = ROOT / "notebooks" / "14_client_report.ipynb"
#: The headings a client report must have, in order.
CLIENT_SECTIONS = (
    "Summary and recommendation",
    "The designs compared",
    "How often and how long",
    "Your SLA, month by month",
    "Outages at night",
    "Where the downtime comes from",
    "What HA costs in incidents",
    "What HA costs to run",
    "How sure are these numbers?",
    "Assumptions and data sources",
    "Method",
)
