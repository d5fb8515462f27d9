# Undocumented derivatives: repos derived from a base whose cards do not say what changed
# (undocumented-change findings; includes partially documented ones, reported at info level).
# Arguments: base — the base model (owner/name)
flagged(undocumented-change, descendants($base))
