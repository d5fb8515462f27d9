//! Edge relations and where each one's value came from.

use std::fmt;

use serde::Serialize;

/// How a downstream repo relates to an upstream one. Edges point upstream → downstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Relation {
    /// Model → model: trained further (SFT, DPO, RLHF, distillation, pruning…).
    Finetune,
    /// Model → model: an adapter (LoRA/PEFT) on the base.
    Adapter,
    /// Model → model: one of several parents merged.
    Merge,
    /// Model → model: a quantization (GGUF, GPTQ, AWQ, MLX…).
    Quantized,
    /// Dataset → model: the model was trained on the dataset.
    TrainedOn,
    /// Dataset → dataset: built from the source dataset.
    SourceOf,
    /// Model or dataset → Space: the Space uses it.
    UsedBy,
    /// Space → Space: duplicated from.
    DuplicatedFrom,
}

impl Relation {
    /// The snake_case name used in JSON and queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Finetune => "finetune",
            Relation::Adapter => "adapter",
            Relation::Merge => "merge",
            Relation::Quantized => "quantized",
            Relation::TrainedOn => "trained_on",
            Relation::SourceOf => "source_of",
            Relation::UsedBy => "used_by",
            Relation::DuplicatedFrom => "duplicated_from",
        }
    }

    /// Parses a relation name (as written in JSON or queries).
    pub fn from_name(s: &str) -> Option<Relation> {
        Some(
            match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
                "finetune" | "fine_tune" | "finetuned" => Relation::Finetune,
                "adapter" => Relation::Adapter,
                "merge" | "merged" => Relation::Merge,
                "quantized" | "quantization" | "quantised" => Relation::Quantized,
                "trained_on" => Relation::TrainedOn,
                "source_of" => Relation::SourceOf,
                "used_by" => Relation::UsedBy,
                "duplicated_from" => Relation::DuplicatedFrom,
                _ => return None,
            },
        )
    }

    /// The four values `base_model_relation` may take on the Hub.
    pub fn from_card_value(s: &str) -> Option<Relation> {
        match s.trim().to_ascii_lowercase().as_str() {
            "finetune" => Some(Relation::Finetune),
            "adapter" => Some(Relation::Adapter),
            "merge" => Some(Relation::Merge),
            "quantized" => Some(Relation::Quantized),
            _ => None,
        }
    }

    /// Whether this is a model-to-model derivation (licenses flow along it).
    pub fn is_derivation(self) -> bool {
        matches!(
            self,
            Relation::Finetune | Relation::Adapter | Relation::Merge | Relation::Quantized
        )
    }

    /// All relations, in display order.
    pub const ALL: [Relation; 8] = [
        Relation::Finetune,
        Relation::Adapter,
        Relation::Merge,
        Relation::Quantized,
        Relation::TrainedOn,
        Relation::SourceOf,
        Relation::UsedBy,
        Relation::DuplicatedFrom,
    ];
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which evidence decided an edge's relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RelationSource {
    /// The Hub's resolved tags (`base_model:<relation>:<id>`).
    Hub,
    /// The card's `base_model_relation` (or the field itself, for non-model edges).
    Declared,
    /// A file a tool wrote beside the card (`adapter_config.json`, a mergekit configuration,
    /// a GGUF header, `config.json`): the parent, or the relation, is what the file says.
    File,
    /// The merge configuration a card carries in its body (the YAML block mergekit and
    /// LazyMergekit print): the merge's own declaration, as strong as `mergekit_config.yml`.
    CardConfig,
    /// A card's explicit source line (`Original model: [X](https://huggingface.co/X)`,
    /// `From: X`), as quantization cards write it.
    CardStatement,
    /// Inferred from files and metadata.
    Inferred,
    /// Suggested from the card's prose (not declared in metadata).
    CardText,
}

impl RelationSource {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationSource::Hub => "hub",
            RelationSource::Declared => "declared",
            RelationSource::File => "file",
            RelationSource::CardConfig => "card-config",
            RelationSource::CardStatement => "card-statement",
            RelationSource::Inferred => "inferred",
            RelationSource::CardText => "card-text",
        }
    }
}

impl fmt::Display for RelationSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
