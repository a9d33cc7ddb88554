"""Plain helpers shared by several apps. Nothing here imports a project app."""
