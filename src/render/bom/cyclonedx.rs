//! CycloneDX 1.7 JSON (ECMA-424 2nd edition): the subset hf-lineage emits, as serde structs.
//!
//! Every repo is one top-level component (models `machine-learning-model` with a
//! `pkg:huggingface/…@<sha>` purl, datasets `data`, Spaces `application`); its lineage is in
//! `pedigree.ancestors`, stubs that point at the top-level components (`hf-lineage:ref`) and
//! nest up to the roots, with the relation and what decided it as namespaced properties. The card's
//! licenses are `declared`; what the lineage imposes is one `concluded` expression (1.7 lets both
//! stand on one component). Runtime needs are `dependencies` (an adapter on its base, a Space on
//! the models it uses); findings are `annotations` on the component they concern.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{expression, BomLicense, BomRepo};
use crate::id::{RepoId, RepoKind};
use crate::relation::{Relation, RelationSource};

#[derive(Serialize)]
struct Bom {
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Default, Clone)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Entity>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pedigree: Option<Pedigree>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(rename = "modelCard", skip_serializing_if = "Option::is_none")]
    model_card: Option<ModelCard>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<ComponentData>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize, Clone)]
struct Entity {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    url: Vec<String>,
}

#[derive(Serialize, Clone)]
#[serde(untagged)]
enum LicenseChoice {
    License {
        license: License,
    },
    Expression {
        expression: String,
        acknowledgement: &'static str,
    },
}

#[derive(Serialize, Clone)]
struct License {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    acknowledgement: &'static str,
}

#[derive(Serialize, Clone)]
struct Pedigree {
    ancestors: Vec<Component>,
}

#[derive(Serialize, Clone)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize, Clone)]
struct ModelCard {
    #[serde(rename = "modelParameters")]
    model_parameters: ModelParameters,
}

#[derive(Serialize, Clone)]
struct ModelParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    datasets: Vec<DataRef>,
}

#[derive(Serialize, Clone)]
struct DataRef {
    #[serde(rename = "ref")]
    reference: String,
}

#[derive(Serialize, Clone)]
struct ComponentData {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
}

#[derive(Serialize, Clone)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

#[derive(Serialize)]
struct Annotation {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    subjects: Vec<String>,
    annotator: Annotator,
    timestamp: String,
    text: String,
}

#[derive(Serialize)]
struct Annotator {
    component: Component,
}

fn bom_ref(id: &RepoId) -> String {
    format!("hf:{}", id.node_id())
}

fn component_type(kind: RepoKind) -> &'static str {
    match kind {
        RepoKind::Model => "machine-learning-model",
        RepoKind::Dataset => "data",
        RepoKind::Space => "application",
    }
}

fn tool() -> Component {
    Component {
        kind: "application",
        name: "hf-lineage".into(),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        ..Component::default()
    }
}

fn licenses(r: &BomRepo) -> Vec<LicenseChoice> {
    let mut out: Vec<LicenseChoice> = r
        .declared
        .iter()
        .map(|l: &BomLicense| LicenseChoice::License {
            license: License {
                id: l.spdx,
                name: l.spdx.is_none().then(|| l.name.clone()),
                url: l.url.clone(),
                acknowledgement: "declared",
            },
        })
        .collect();
    if let Some(e) = expression(&r.concluded) {
        out.push(LicenseChoice::Expression {
            expression: e,
            acknowledgement: "concluded",
        });
    }
    out
}

/// The stub of a parent inside `pedigree.ancestors`: enough to identify it, a pointer to the
/// top-level component, the relation, and the parent's own ancestors (cycle-safe).
fn ancestor_stub(
    by_id: &BTreeMap<&RepoId, &BomRepo>,
    parent: &RepoId,
    relation: Relation,
    source: RelationSource,
    path: &mut BTreeSet<RepoId>,
) -> Component {
    let repo = by_id.get(parent);
    let mut properties = vec![
        Property {
            name: "hf-lineage:ref",
            value: bom_ref(parent),
        },
        Property {
            name: "hf-lineage:relation",
            value: relation.as_str().into(),
        },
        Property {
            name: "hf-lineage:relation-source",
            value: source.as_str().into(),
        },
    ];
    if source == RelationSource::CardText {
        properties.push(Property {
            name: "hf-lineage:suggested",
            value: "true: named in the card's text, not declared in its metadata".into(),
        });
    }
    let mut ancestors = Vec::new();
    if path.insert(parent.clone()) {
        if let Some(r) = repo {
            for p in r.parents.iter().filter(|p| p.relation.is_derivation()) {
                ancestors.push(ancestor_stub(by_id, &p.id, p.relation, p.source, path));
            }
        }
        path.remove(parent);
    }
    Component {
        kind: component_type(parent.kind()),
        name: parent.name().to_string(),
        version: repo.and_then(|r| r.sha.clone()),
        purl: repo.and_then(|r| r.purl()),
        pedigree: (!ancestors.is_empty()).then_some(Pedigree { ancestors }),
        properties,
        ..Component::default()
    }
}

/// Renders the repos as a CycloneDX 1.7 JSON document (pretty, with a trailing newline).
pub fn render_cyclonedx(repos: &[BomRepo], roots: &[RepoId], endpoint: &str) -> String {
    let timestamp = super::timestamp();
    let by_id: BTreeMap<&RepoId, &BomRepo> = repos.iter().map(|r| (&r.id, r)).collect();
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    let mut annotations = Vec::new();
    for r in repos {
        components.push(component(r, &by_id, endpoint));
        dependencies.push(dependency(r, &by_id));
        for f in &r.findings {
            annotations.push(Annotation {
                bom_ref: format!("finding-{}", annotations.len() + 1),
                subjects: vec![bom_ref(&r.id)],
                annotator: Annotator { component: tool() },
                timestamp: timestamp.clone(),
                text: format!(
                    "{} ({}): {}",
                    f.code,
                    super::severity_word(f.severity),
                    f.message
                ),
            });
        }
    }
    let root_list: Vec<String> = roots.iter().map(RepoId::node_id).collect();
    let serial = super::name_uuid(&format!(
        "{}|{timestamp}|{}",
        root_list.join(","),
        repos.len()
    ));
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.7",
        serial_number: format!("urn:uuid:{serial}"),
        version: 1,
        metadata: Metadata {
            timestamp,
            tools: Tools {
                components: vec![tool()],
            },
            properties: vec![Property {
                name: "hf-lineage:roots",
                value: root_list.join(", "),
            }],
        },
        components,
        dependencies,
        annotations,
    };
    let mut s = serde_json::to_string_pretty(&bom).unwrap_or_default();
    s.push('\n');
    s
}

/// One repo as a component: its page, card and license links, the derivation ancestors as
/// pedigree, the datasets it was trained on (in the BOM) in its model card, and its status.
fn component(r: &BomRepo, by_id: &BTreeMap<&RepoId, &BomRepo>, endpoint: &str) -> Component {
    let page = r.page(endpoint);
    let mut refs = vec![ExternalReference {
        kind: "website",
        url: page.clone(),
    }];
    if r.id.kind() == RepoKind::Model {
        refs.push(ExternalReference {
            kind: "model-card",
            url: format!("{page}/blob/main/README.md"),
        });
    }
    for l in &r.declared {
        if let Some(u) = &l.url {
            refs.push(ExternalReference {
                kind: "license",
                url: u.clone(),
            });
        }
    }
    let mut path = BTreeSet::from([r.id.clone()]);
    let ancestors: Vec<Component> = r
        .parents
        .iter()
        .filter(|p| p.relation.is_derivation())
        .map(|p| ancestor_stub(by_id, &p.id, p.relation, p.source, &mut path))
        .collect();
    let datasets: Vec<DataRef> = r
        .parents
        .iter()
        .filter(|p| p.relation == Relation::TrainedOn && by_id.contains_key(&p.id))
        .map(|p| DataRef {
            reference: bom_ref(&p.id),
        })
        .collect();
    let model_card = (r.id.kind() == RepoKind::Model && (r.task.is_some() || !datasets.is_empty()))
        .then(|| ModelCard {
            model_parameters: ModelParameters {
                task: r.task.clone(),
                datasets,
            },
        });
    let mut properties = vec![Property {
        name: "hf-lineage:status",
        value: if r.readable { "ok" } else { "unreadable" }.into(),
    }];
    if let Some(t) = &r.released {
        properties.push(Property {
            name: "hf-lineage:last-modified",
            value: t.clone(),
        });
    }
    Component {
        kind: component_type(r.id.kind()),
        bom_ref: Some(bom_ref(&r.id)),
        supplier: r.owner().map(|o| Entity {
            name: o.to_string(),
            url: vec![format!("{}/{o}", endpoint.trim_end_matches('/'))],
        }),
        name: r.id.name().to_string(),
        version: r.sha.clone(),
        licenses: licenses(r),
        purl: r.purl(),
        pedigree: (!ancestors.is_empty()).then_some(Pedigree { ancestors }),
        external_references: refs,
        model_card,
        data: if r.id.kind() == RepoKind::Dataset {
            vec![ComponentData {
                kind: "dataset",
                name: r.id.name().to_string(),
            }]
        } else {
            vec![]
        },
        properties,
        ..Component::default()
    }
}

/// What a repo needs at run time: an adapter loads its base; a Space runs the models and data
/// it uses.
fn dependency(r: &BomRepo, by_id: &BTreeMap<&RepoId, &BomRepo>) -> Dependency {
    let needs: BTreeSet<String> = r
        .parents
        .iter()
        .filter(|p| {
            p.relation == Relation::Adapter
                || (r.id.kind() == RepoKind::Space && p.relation == Relation::UsedBy)
        })
        .filter(|p| by_id.contains_key(&p.id))
        .map(|p| bom_ref(&p.id))
        .collect();
    Dependency {
        reference: bom_ref(&r.id),
        depends_on: needs.into_iter().collect(),
    }
}
