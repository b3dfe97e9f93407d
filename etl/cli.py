"""Command-line interface (placeholder replaced below)."""


def main() -> None:  # pragma: no cover
    raise SystemExit(0)
