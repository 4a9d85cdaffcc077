"""The screens, one module each (`async def build(ui, **params) -> ft.View`); the route
table (fieldapp.ui.routes) says which route shows which."""
