//! Reading and writing snapshot directories.

use super::*;
use crate::source::hub::RawRepo;

#[test]
fn what_the_writer_writes_the_reader_reads() {
    let dir = tempfile::tempdir().unwrap();
    let model = RepoId::parse("q/m-GGUF", RepoKind::Model).unwrap();
    let data = RepoId::parse("datasets/org/data", RepoKind::Model).unwrap();
    let raw_model = RawRepo {
        info: Some(br#"{"id":"q/m-GGUF","tags":["base_model:quantized:org/base"],"sha":"abc","cardData":{"license":"mit","base_model":"org/base"},"siblings":[{"rfilename":"m.Q4_K_M.gguf"}]}"#.to_vec()),
        readme: Some(b"---\nlicense: mit\nbase_model: org/base\n---\nGGUF Q4_K_M of org/base.\n".to_vec()),
        files: vec![("LICENSE".into(), b"MIT License\n\nCopyright (c) 2024".to_vec())],
    };
    let raw_data = RawRepo {
        info: None,
        readme: Some(b"---\nlicense: cc-by-4.0\nsource_datasets: [org/raw]\n---\n".to_vec()),
        files: vec![],
    };
    let written = write_snapshot(dir.path(), [(&model, &raw_model), (&data, &raw_data)]).unwrap();
    assert_eq!(written, 2);
    let mut src = SnapshotSource::open(dir.path()).unwrap();
    let read = src.fetch(&[model.clone(), data.clone()]);
    let want = [
        RepoRecord::from_parts(
            &model,
            raw_model.info.as_deref(),
            raw_model.readme.as_deref(),
        ),
        RepoRecord::from_parts(&data, None, raw_data.readme.as_deref()),
    ];
    for (got, want) in read.iter().zip(&want) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.status, NodeStatus::Ok);
        assert_eq!(got.links(), want.links());
        assert_eq!(got.card.meta, want.card.meta);
        assert_eq!(got.siblings, want.siblings);
        assert_eq!(got.sha(), want.sha());
    }
    // The files beside the card come back from `.files/`.
    let lf = read[0].license_file().expect("the LICENSE was kept");
    assert_eq!(
        (lf.file.as_str(), lf.license.as_deref()),
        ("LICENSE", Some("mit"))
    );
    assert_eq!(read[1].license_file(), None);
}

#[test]
fn only_directories_with_repo_files_are_entries() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, body: &str| {
        let p = dir.path().join("models").join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, body).unwrap();
    };
    w("gpt2/README.md", "---\nlicense: mit\n---\n");
    // A legacy repo's own folder, and an owner's empty folder: no repos.
    fs::create_dir_all(dir.path().join("models/gpt2/onnx")).unwrap();
    fs::create_dir_all(dir.path().join("models/org/empty")).unwrap();
    w("org/ft/README.md", "---\nbase_model: gpt2\n---\n");
    // Renamed: the directory's name is an alias of the id its info.json gives.
    w(
        "org/old/info.json",
        r#"{"id": "org/new", "cardData": {"base_model": "gpt2"}}"#,
    );
    // A directory name that is no valid id: a finding only when it holds repo files.
    fs::create_dir_all(dir.path().join("models/bad name!/no-files")).unwrap();
    w("bad name!/x/README.md", "---\nlicense: mit\n---\n");
    let mut src = SnapshotSource::open(dir.path()).unwrap();
    let found: Vec<&str> = src.entry_findings().iter().map(|f| &*f.message).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("\"bad name!/x\""), "{found:?}");
    let gpt2 = RepoId::parse("gpt2", RepoKind::Model).unwrap();
    let gpt2 = src.fetch(&[gpt2]);
    let kids = src.children(&gpt2);
    let kids: Vec<String> = kids[0]
        .iter()
        .map(|c| match c {
            Child::Id(id) => id.to_string(),
            Child::Record(r) => r.id.to_string(),
        })
        .collect();
    assert_eq!(kids, ["org/ft", "org/new"]);
    let id = |s: &str| RepoId::parse(s, RepoKind::Model).unwrap();
    let got = src.fetch(&[
        id("org/empty"),
        id("gpt2/onnx"),
        id("org/new"),
        id("org/old"),
    ]);
    assert_eq!(got[0].status, NodeStatus::NotFound);
    assert_eq!(got[1].status, NodeStatus::NotFound);
    assert_eq!(
        (got[2].id.to_string(), got[2].status),
        ("org/new".into(), NodeStatus::Ok)
    );
    assert_eq!(got[3].id, got[2].id);
    let all: Vec<String> = src
        .all_records()
        .unwrap()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(all, ["gpt2", "org/ft", "org/new"]);
}

#[test]
fn an_unreadable_file_is_reported_each_time_its_entry_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("models/org");
    fs::create_dir_all(m.join("odd/info.json")).unwrap(); // a directory: cannot be read
    fs::write(m.join("odd/README.md"), "---\nbase_model: org/base\n---\n").unwrap();
    fs::create_dir_all(m.join("base")).unwrap();
    fs::write(m.join("base/README.md"), "---\nlicense: mit\n---\n").unwrap();
    let mut src = SnapshotSource::open(dir.path()).unwrap();
    let base = src.fetch(&[RepoId::parse("org/base", RepoKind::Model).unwrap()]);
    // Indexing reads every entry once; the walk then reads the child again.
    assert_eq!(src.children(&base)[0].len(), 1);
    let odd = src.fetch(&[RepoId::parse("org/odd", RepoKind::Model).unwrap()]);
    assert_eq!(odd[0].status, NodeStatus::Ok);
    assert!(
        odd[0]
            .findings
            .iter()
            .any(|f| f.code == Code::SnapshotEntryInvalid && f.message.contains("info.json")),
        "{:?}",
        odd[0].findings
    );
}
