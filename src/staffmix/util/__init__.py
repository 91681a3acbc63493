"""Small tools every layer may use: atomic writes, JSON conversion, the terminal status line, silenced solver output,
and the progress a solve reports while it works."""
