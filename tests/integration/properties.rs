//! Properties of the readers of outside data, over generated input (proptest; cargo-fuzz needs
//! a nightly toolchain): they never panic, they stay bounded, ids round-trip and never climb
//! out of a folder. Then a seeded corpus run: every real card in `../shared/cards`, mutated the
//! ways cards break in the wild, through the card parser.

use std::time::{Duration, Instant};

use hf_lineage::card::{parse_card, split_frontmatter};
use hf_lineage::files::{gguf, hub_ref, merge_config};
use hf_lineage::{RepoId, RepoKind};
use proptest::prelude::*;

/// Text shaped like what cards hold: YAML punctuation, anchors, tags, line ends of every kind.
fn cardish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "---",
        "\n",
        "\r\n",
        "\r",
        "\0",
        ": ",
        "- ",
        "  ",
        "&a ",
        "*a",
        "!!str ",
        "!!binary ",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'",
        "#",
        "base_model",
        "license",
        "datasets",
        "tags",
        "owner/name",
        "../..",
        "https://huggingface.co/x/y",
        "é",
        "量化",
        "\u{1b}[2J",
        "|",
        ">",
    ]);
    prop::collection::vec(atoms, 0..64).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn frontmatter_split_and_card_parse_never_panic_and_stay_bounded(text in cardish()) {
        let started = Instant::now();
        if let Some((yaml, body)) = split_frontmatter(&text) {
            prop_assert!(yaml.len() + body.len() <= text.len());
        }
        let card = parse_card(&text, RepoKind::Model);
        for id in card.meta.base_models.iter().chain(&card.meta.datasets) {
            prop_assert!(!id.name().contains(".."), "{id}");
        }
        prop_assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn arbitrary_text_never_panics_the_card_parser(text in ".{0,400}") {
        let _ = parse_card(&text, RepoKind::Dataset);
        let _ = merge_config(&text);
        let _ = hf_lineage::query::parse(&text);
    }

    #[test]
    fn ids_round_trip_and_never_climb_out_of_a_folder(
        owner in "[A-Za-z0-9][A-Za-z0-9._-]{0,20}",
        name in "[A-Za-z0-9][A-Za-z0-9._-]{0,30}",
        kind in prop::sample::select(vec![RepoKind::Model, RepoKind::Dataset, RepoKind::Space]),
    ) {
        let text = format!("{}{owner}/{name}", kind.url_prefix());
        if let Ok(id) = RepoId::parse(&text, RepoKind::Model) {
            prop_assert!(!id.name().contains(".."));
            prop_assert_eq!(id.kind(), kind);
            let again = RepoId::parse(&id.node_id(), RepoKind::Model).unwrap();
            prop_assert_eq!(&again, &id);
            prop_assert_eq!(again.node_id(), id.node_id());
        }
    }

    #[test]
    fn anything_where_an_id_belongs_is_an_id_or_nothing(text in ".{0,120}") {
        if let Ok(id) = RepoId::parse(&text, RepoKind::Model) {
            prop_assert!(!id.name().contains(".."), "{text:?} -> {id}");
            prop_assert!(!id.name().starts_with('/'));
        }
        if let Some(r) = hub_ref(&text) {
            prop_assert!(!r.id.name().contains(".."), "{text:?} -> {}", r.id);
            prop_assert!(r.id.owner().is_some());
        }
    }

    #[test]
    fn cache_paths_give_their_repo_whatever_the_separators(
        owner in "[A-Za-z0-9][A-Za-z0-9_]{0,12}",
        name in "[A-Za-z0-9][A-Za-z0-9._]{0,20}",
        sha in "[0-9a-f]{7,40}",
        windows in any::<bool>(),
    ) {
        let sep = if windows { "\\" } else { "/" };
        let path = ["C:", "Users", "me", ".cache", "huggingface", "hub",
            &format!("models--{owner}--{name}"), "snapshots", &sha].join(sep);
        if let Some(r) = hub_ref(&path) {
            prop_assert_eq!(r.id.node_id(), format!("{owner}/{name}"));
            prop_assert_eq!(r.revision.as_deref(), Some(sha.as_str()));
        }
    }

    #[test]
    fn any_bytes_after_a_gguf_magic_never_panic_the_header_reader(
        version in 0u32..5,
        rest in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = b"GGUF".to_vec();
        bytes.extend(version.to_le_bytes());
        bytes.extend(rest);
        if let Some(h) = gguf::read_header(&bytes) {
            prop_assert!(h.metadata.len() <= bytes.len());
        }
    }
}

/// The ways cards break in the wild, applied to one card: `seed` picks where.
fn mutations(card: &str, seed: u64) -> Vec<String> {
    let bytes = card.as_bytes();
    let at = |k: u64| {
        if bytes.is_empty() {
            0
        } else {
            ((seed.wrapping_mul(6364136223846793005).wrapping_add(k)) % bytes.len() as u64) as usize
        }
    };
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut flipped = bytes.to_vec();
    for k in 0..8 {
        let i = at(k);
        if let Some(b) = flipped.get_mut(i) {
            *b ^= 1 << (k % 8);
        }
    }
    vec![
        lossy(&flipped),
        lossy(&bytes[..at(1)]),
        card.replace('\n', "\r"),
        card.replace('\n', "\0\n"),
        format!("---\nbase_model: {}\n---\n{card}", "[".repeat(5000)),
        format!("---\nlicense: {}\n---\n{card}", "x".repeat(1 << 20)),
        card.replacen("---\n", "---\n!!python/object:os.system [rm]\n", 1),
        card.replacen(
            "---\n",
            "---\na: &a [*a]\nb: &b [x, x, x]\nc: &c [*b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n",
            1,
        ),
    ]
}

#[test]
fn every_real_card_mutated_parses_without_panic_in_bounded_time() {
    let Some(cards) = crate::common::shared_cards("every_real_card_mutated") else {
        return;
    };
    let started = Instant::now();
    let mut n = 0;
    for (seed, path) in crate::common::files_under(&cards).iter().enumerate() {
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        for m in mutations(&text, seed as u64) {
            let one = Instant::now();
            for kind in [RepoKind::Model, RepoKind::Dataset, RepoKind::Space] {
                let _ = parse_card(&m, kind);
            }
            assert!(
                one.elapsed() < Duration::from_secs(5),
                "{}: a mutation took {:?}",
                path.display(),
                one.elapsed()
            );
            n += 1;
        }
    }
    assert!(n > 100, "only {n} mutated cards");
    eprintln!("{n} mutated cards parsed in {:?}", started.elapsed());
}
