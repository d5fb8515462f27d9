//! SPDX 3.0.1 JSON-LD with the AI and Dataset profiles: the subset hf-lineage emits, as serde
//! structs.
//!
//! Models are `ai_AIPackage`, datasets `dataset_DatasetPackage`, Spaces `software_Package`, each
//! with what the profiles make mandatory (release time when the Hub gave one, supplier as an
//! Agent, download location, package version, primary purpose, dataset type; `noAssertion`
//! where unknown). Lineage is `descendantOf` (the relation kind and its source in `comment`),
//! training data `trainedOn`, runtime needs `dependsOn`. Each package has exactly one
//! `hasDeclaredLicense` and one `hasConcludedLicense` relationship, to a license expression or
//! to `NoAssertionLicense`; Hub licenses that are not SPDX ids are `LicenseRef-…` with
//! `simplelicensing_customIdToUri`. Findings are `Annotation`s. One `SpdxDocument` lists the
//! profiles it conforms to and the traced repos as its root elements.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{expression, BomLicense, BomRepo};
use crate::id::{RepoId, RepoKind};
use crate::relation::Relation;

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION: &str = "_:creationinfo";
const NO_ASSERTION_ELEMENT: &str = "https://spdx.org/rdf/3.0.1/terms/Core/NoAssertionElement";
const NO_ASSERTION_LICENSE: &str =
    "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense";

#[derive(Serialize)]
struct Document {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<Element>,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum Element {
    CreationInfo {
        #[serde(rename = "@id")]
        id: &'static str,
        #[serde(rename = "specVersion")]
        spec_version: &'static str,
        created: String,
        #[serde(rename = "createdBy")]
        created_by: Vec<String>,
        #[serde(rename = "createdUsing")]
        created_using: Vec<String>,
    },
    SoftwareAgent(Named),
    Tool(Named),
    Organization(Named),
    #[serde(rename = "ai_AIPackage")]
    AiPackage(Package),
    #[serde(rename = "dataset_DatasetPackage")]
    DatasetPackage(Package),
    #[serde(rename = "software_Package")]
    SoftwarePackage(Package),
    #[serde(rename = "simplelicensing_LicenseExpression")]
    LicenseExpression {
        #[serde(rename = "spdxId")]
        spdx_id: String,
        #[serde(rename = "creationInfo")]
        creation_info: &'static str,
        #[serde(rename = "simplelicensing_licenseExpression")]
        expression: String,
        #[serde(
            rename = "simplelicensing_customIdToUri",
            skip_serializing_if = "Vec::is_empty"
        )]
        custom_ids: Vec<DictionaryEntry>,
    },
    Relationship {
        #[serde(rename = "spdxId")]
        spdx_id: String,
        #[serde(rename = "creationInfo")]
        creation_info: &'static str,
        from: String,
        #[serde(rename = "relationshipType")]
        relationship_type: &'static str,
        to: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    Annotation {
        #[serde(rename = "spdxId")]
        spdx_id: String,
        #[serde(rename = "creationInfo")]
        creation_info: &'static str,
        #[serde(rename = "annotationType")]
        annotation_type: &'static str,
        subject: String,
        statement: String,
    },
    SpdxDocument {
        #[serde(rename = "spdxId")]
        spdx_id: String,
        #[serde(rename = "creationInfo")]
        creation_info: &'static str,
        name: String,
        #[serde(rename = "profileConformance")]
        profile_conformance: Vec<&'static str>,
        #[serde(rename = "rootElement")]
        root_element: Vec<String>,
        element: Vec<String>,
    },
}

#[derive(Serialize)]
struct Named {
    #[serde(rename = "spdxId")]
    spdx_id: String,
    #[serde(rename = "creationInfo")]
    creation_info: &'static str,
    name: String,
}

#[derive(Serialize)]
struct Package {
    #[serde(rename = "spdxId")]
    spdx_id: String,
    #[serde(rename = "creationInfo")]
    creation_info: &'static str,
    name: String,
    #[serde(rename = "suppliedBy")]
    supplied_by: String,
    #[serde(rename = "releaseTime", skip_serializing_if = "Option::is_none")]
    release_time: Option<String>,
    #[serde(rename = "software_packageVersion")]
    package_version: String,
    #[serde(rename = "software_downloadLocation")]
    download_location: String,
    #[serde(rename = "software_homePage")]
    home_page: String,
    #[serde(rename = "software_primaryPurpose")]
    primary_purpose: &'static str,
    #[serde(
        rename = "software_packageUrl",
        skip_serializing_if = "Option::is_none"
    )]
    purl: Option<String>,
    #[serde(
        rename = "dataset_datasetType",
        skip_serializing_if = "Option::is_none"
    )]
    dataset_type: Option<Vec<&'static str>>,
    #[serde(rename = "ai_domain", skip_serializing_if = "Vec::is_empty")]
    domain: Vec<String>,
}

#[derive(Serialize)]
struct DictionaryEntry {
    #[serde(rename = "type")]
    kind: &'static str,
    key: String,
    value: String,
}

/// Element ids: one namespace per document, paths by kind and repo id.
struct Ids {
    ns: String,
}

impl Ids {
    fn repo(&self, id: &RepoId) -> String {
        let kind = match id.kind() {
            RepoKind::Model => "model",
            RepoKind::Dataset => "dataset",
            RepoKind::Space => "space",
        };
        format!("{}{kind}/{}", self.ns, id.name())
    }
    fn of(&self, what: &str, n: usize) -> String {
        format!("{}{what}/{n}", self.ns)
    }
}

fn license_element(ids: &Ids, n: usize, licenses: &[BomLicense], out: &mut Vec<Element>) -> String {
    let Some(expr) = expression(licenses) else {
        return NO_ASSERTION_LICENSE.to_string();
    };
    let id = ids.of("license", n);
    let mut custom: BTreeMap<String, String> = BTreeMap::new();
    for l in licenses.iter().filter(|l| l.spdx.is_none()) {
        let url = l
            .url
            .clone()
            .unwrap_or_else(|| format!("https://huggingface.co/search/full-text?q={}", l.hub_id));
        custom.insert(l.term(), url);
    }
    out.push(Element::LicenseExpression {
        spdx_id: id.clone(),
        creation_info: CREATION,
        expression: expr,
        custom_ids: custom
            .into_iter()
            .map(|(key, value)| DictionaryEntry {
                kind: "DictionaryEntry",
                key,
                value,
            })
            .collect(),
    });
    id
}

/// Renders the repos as an SPDX 3.0.1 JSON-LD document (pretty, with a trailing newline).
pub fn render_spdx(repos: &[BomRepo], roots: &[RepoId], endpoint: &str) -> String {
    let created = super::timestamp();
    let root_list: Vec<String> = roots.iter().map(RepoId::node_id).collect();
    let uuid = super::name_uuid(&format!(
        "{}|{created}|{}",
        root_list.join(","),
        repos.len()
    ));
    let ids = Ids {
        ns: format!("https://spdx.org/spdxdocs/hf-lineage-{uuid}/"),
    };
    let mut g = Graph {
        elements: preamble(&ids, created),
        ids: &ids,
        relationships: 0,
        annotations: 0,
    };
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for o in repos.iter().filter_map(BomRepo::owner) {
        owners
            .entry(o.to_string())
            .or_insert_with(|| format!("{}agent/{o}", ids.ns));
    }
    for (name, id) in &owners {
        g.elements.push(Element::Organization(Named {
            spdx_id: id.clone(),
            creation_info: CREATION,
            name: name.clone(),
        }));
    }
    let known: BTreeMap<&RepoId, &BomRepo> = repos.iter().map(|r| (&r.id, r)).collect();
    let mut elements: Vec<String> = Vec::new();
    for (i, r) in repos.iter().enumerate() {
        let me = ids.repo(&r.id);
        elements.push(me.clone());
        g.elements.push(package(r, &me, &owners, endpoint));
        let declared = license_element(&ids, 2 * i + 1, &r.declared, &mut g.elements);
        let concluded = license_element(&ids, 2 * i + 2, &r.concluded, &mut g.elements);
        g.relate(&me, "hasDeclaredLicense", vec![declared], None);
        g.relate(&me, "hasConcludedLicense", vec![concluded], None);
        for p in r.parents.iter().filter(|p| known.contains_key(&p.id)) {
            g.relate_parent(&me, p);
        }
        for f in &r.findings {
            g.annotate(
                &me,
                format!(
                    "{} ({}): {}",
                    f.code,
                    super::severity_word(f.severity),
                    f.message
                ),
            );
        }
    }
    let roots_ids: Vec<String> = roots
        .iter()
        .filter_map(|r| known.keys().find(|k| **k == r).map(|k| ids.repo(k)))
        .collect();
    g.elements.push(Element::SpdxDocument {
        spdx_id: format!("{}document", ids.ns),
        creation_info: CREATION,
        name: format!("AI-BOM of {}", root_list.join(", ")),
        profile_conformance: vec!["core", "software", "simpleLicensing", "ai", "dataset"],
        root_element: roots_ids,
        element: elements,
    });
    let doc = Document {
        context: CONTEXT,
        graph: g.elements,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The document's elements as they are made, with the counters that number relationships and
/// annotations.
struct Graph<'a> {
    ids: &'a Ids,
    elements: Vec<Element>,
    relationships: usize,
    annotations: usize,
}

impl Graph<'_> {
    fn relate(&mut self, from: &str, kind: &'static str, to: Vec<String>, comment: Option<String>) {
        self.relationships += 1;
        self.elements.push(Element::Relationship {
            spdx_id: self.ids.of("relationship", self.relationships),
            creation_info: CREATION,
            from: from.to_string(),
            relationship_type: kind,
            to,
            comment,
        });
    }

    /// The relationships that say how a repo derives from, trains on or uses a parent.
    fn relate_parent(&mut self, me: &str, p: &super::BomParent) {
        let to = vec![self.ids.repo(&p.id)];
        let comment = Some(format!("{} ({})", p.relation, p.source));
        match p.relation {
            rel if rel.is_derivation() => {
                self.relate(me, "descendantOf", to.clone(), comment.clone());
                if rel == Relation::Adapter {
                    self.relate(me, "dependsOn", to, comment);
                }
            }
            Relation::TrainedOn => self.relate(me, "trainedOn", to, comment),
            Relation::UsedBy => self.relate(me, "dependsOn", to, comment),
            Relation::SourceOf | Relation::DuplicatedFrom => {
                self.relate(me, "descendantOf", to, comment)
            }
            _ => {}
        }
    }

    fn annotate(&mut self, subject: &str, statement: String) {
        self.annotations += 1;
        self.elements.push(Element::Annotation {
            spdx_id: self.ids.of("annotation", self.annotations),
            creation_info: CREATION,
            annotation_type: "review",
            subject: subject.to_string(),
            statement,
        });
    }
}

/// The creation information and who made the document: hf-lineage, as agent and tool.
fn preamble(ids: &Ids, created: String) -> Vec<Element> {
    let agent = format!("{}agent/hf-lineage", ids.ns);
    let tool = format!("{}tool/hf-lineage", ids.ns);
    vec![
        Element::CreationInfo {
            id: CREATION,
            spec_version: "3.0.1",
            created,
            created_by: vec![agent.clone()],
            created_using: vec![tool.clone()],
        },
        Element::SoftwareAgent(Named {
            spdx_id: agent,
            creation_info: CREATION,
            name: "hf-lineage".into(),
        }),
        Element::Tool(Named {
            spdx_id: tool,
            creation_info: CREATION,
            name: format!("hf-lineage {}", env!("CARGO_PKG_VERSION")),
        }),
    ]
}

/// One repo as an AI, dataset or software package.
fn package(r: &BomRepo, me: &str, owners: &BTreeMap<String, String>, endpoint: &str) -> Element {
    let page = r.page(endpoint);
    let package = Package {
        spdx_id: me.to_string(),
        creation_info: CREATION,
        name: r.id.name().to_string(),
        supplied_by: r
            .owner()
            .and_then(|o| owners.get(o).cloned())
            .unwrap_or_else(|| NO_ASSERTION_ELEMENT.to_string()),
        release_time: r.released.as_deref().map(whole_seconds),
        package_version: r.sha.clone().unwrap_or_else(|| "NOASSERTION".into()),
        download_location: page.clone(),
        home_page: page,
        primary_purpose: match r.id.kind() {
            RepoKind::Model => "model",
            RepoKind::Dataset => "data",
            RepoKind::Space => "application",
        },
        purl: r.purl(),
        dataset_type: (r.id.kind() == RepoKind::Dataset).then(|| vec!["noAssertion"]),
        domain: if r.id.kind() == RepoKind::Model {
            r.task.iter().cloned().collect()
        } else {
            vec![]
        },
    };
    match r.id.kind() {
        RepoKind::Model => Element::AiPackage(package),
        RepoKind::Dataset => Element::DatasetPackage(package),
        RepoKind::Space => Element::SoftwarePackage(package),
    }
}

/// `2024-05-01T12:00:00.000Z` → `2024-05-01T12:00:00Z` (SPDX date-times are whole seconds, UTC).
fn whole_seconds(t: &str) -> String {
    match t.split_once('.') {
        Some((head, _)) if t.ends_with('Z') => format!("{head}Z"),
        _ => t.to_string(),
    }
}
