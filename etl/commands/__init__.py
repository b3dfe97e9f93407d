"""CLI sub-commands: each module exposes ``register(subparsers)``; the CLI finds them all."""
