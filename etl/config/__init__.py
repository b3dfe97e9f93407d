"""Configuration files shipped with the package (demo sources, method) and their loaders."""
