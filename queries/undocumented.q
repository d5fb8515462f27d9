# Undocumented derivatives: repos derived from a base whose cards do not say what changed
# (undocumented-change findings; partially documented ones are partially-documented-change).
# Arguments: base — the base model (owner/name)
flagged(undocumented-change, descendants($base))
