"""What every server subsystem stands on: settings, database engines and transactions,
schema creation and upgrade, and the change feed's collector (changeset)."""
