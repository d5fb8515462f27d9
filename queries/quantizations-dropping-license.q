# Quantizations that drop their license: quantized descendants of a base model whose declared
# license drops obligations an ancestor requires (license-drift).
# Arguments: base — the base model (owner/name)
relation(quantized, descendants($base)) ^ flagged(license-drift, descendants($base))
