"""Reintegration LMIS: the importable pipeline package (runs without Airflow)."""
