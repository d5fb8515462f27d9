# Non-commercial ancestry: the non-commercial repos in a repo's lineage (models and training
# data), and the path from each down to the repo.
# Arguments: repo — the repo to check (owner/name)
let lineage = ancestors($repo) + $repo in
let nc = license("cc-by-nc*", lineage)
       + license("*noncommercial*", lineage)
       + license("*non-commercial*", lineage)
       + license("*research*", lineage)
       + license("mrl", lineage)
       + license("mnpl", lineage) in
allpaths($repo, nc)
