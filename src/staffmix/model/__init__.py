"""The mathematical model: every index set once (index_sets.py, with the service groups and the deferrable-work sets
beside it), the plan's variable values, and the reference PuLP formulation."""
