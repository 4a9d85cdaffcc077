"""The organisation: accounts and devices, sign-in and its throttle, regions/sites and who
may see them (scope, incl. the reviewer's), administration, the sites CSV import and the
demo organisation."""
