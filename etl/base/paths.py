"""Where the project's own files are: specs, suites, SQL models, the catalog and reference data.

One place for every path the code reads from the repository (the data area is `settings.Home`).
statwh is a deployable project, not a library: these live beside `etl/` in the checkout or the
image (see the Dockerfile), not inside an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

ETL_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = ETL_DIR.parent

SPEC_DIR = ETL_DIR / "specs"
REFERENCE_DIR = ETL_DIR / "reference" / "data"
DIVISIONS_DIR = REFERENCE_DIR / "divisions"
INDUSTRY_DIR = REFERENCE_DIR / "industry"

SUITE_DIR = REPO_DIR / "expectations"
MODELS_DIR = REPO_DIR / "warehouse" / "models"
AUDITS_DIR = REPO_DIR / "warehouse" / "audits"
CATALOG_DIR = REPO_DIR / "warehouse" / "catalog"
DICTIONARY = REPO_DIR / "docs" / "data-dictionary.md"
