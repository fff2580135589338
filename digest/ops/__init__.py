"""The operator's side: dashboard, one reader explained, next-digest preview, health."""
