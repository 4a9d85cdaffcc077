"""Console screens: each builds one ft.View for the Console shell (sync_server.console.routes
says which route shows which)."""
