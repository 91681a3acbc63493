"""What a user reads: the Result container and its tables, a plan read back into tables, deferrable work's backlog, the
headline figures (KPIs), the targets a plan is judged on, the text summary."""
