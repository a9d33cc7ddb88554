"""Plain Python helpers shared across the project. Nothing here imports a project app."""
