# The source (root) of a repo: the model(s) a quantization, fine-tune, adapter or merge
# ultimately derives from.
# Arguments: repo — the repo to trace (owner/name), e.g. TheBloke/Llama-2-7B-Chat-GGUF
let lineage = kind(model, ancestors($repo) + $repo) in
roots(lineage)
