"""Analysis over the processed tables (execution rates, target changes, reconciliation)."""
