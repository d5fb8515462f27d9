# License conflicts in merges: merges in a family whose combined parent licenses cannot all be
# met, or that contradict an ancestor's terms (license-conflict findings on merge nodes).
# Arguments: base — a base model whose derivatives to search (owner/name)
let family = descendants($base) + $base in
relation(merge, flagged(license-conflict, family))
