"""Plain-Python helpers shared by more than one app. Nothing here imports a project app."""
