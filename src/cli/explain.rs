//! `hf-lineage explain`: what a finding code means and how to resolve or allow it.

use clap::Args;

use super::emit;
use crate::finding::Code;

/// Arguments of `explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The finding code (`license-drift`, `undocumented-change` …).
    #[arg(value_name = "CODE", required_unless_present_any = ["list", "license"])]
    pub code: Option<String>,
    /// Which license a `license` or `license_name` value resolves to, by which rule, and what
    /// the knowledge base says that license asks of derivatives.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["code", "list"])]
    pub license: Option<String>,
    /// One line per code with its default severity.
    #[arg(long)]
    pub list: bool,
    /// With `--list`: README's "Finding codes" table (Markdown, one anchor per code).
    #[arg(long, requires = "list")]
    pub markdown: bool,
}

/// Runs `explain`.
pub fn run(args: ExplainArgs) -> anyhow::Result<u8> {
    if let Some(name) = &args.license {
        return explain_license(name);
    }
    if args.list && args.markdown {
        emit(&crate::finding::code::markdown_table(), None)?;
        return Ok(super::exit::OK);
    }
    if args.list {
        let width = Code::ALL
            .iter()
            .map(|c| c.as_str().len())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for c in Code::ALL {
            let i = c.info();
            out.push_str(&format!(
                "{:width$}  {:4}  {}\n",
                i.name,
                i.severity.as_str(),
                i.summary
            ));
        }
        emit(&out, None)?;
        return Ok(super::exit::OK);
    }
    emit(&code_text(&args.code.unwrap_or_default())?, None)?;
    Ok(super::exit::OK)
}

/// What `explain CODE` prints.
pub fn code_text(name: &str) -> anyhow::Result<String> {
    let Some(code) = Code::from_name(name.trim()) else {
        return Err(anyhow::anyhow!(
            "unknown finding code {name:?}; `hf-lineage explain --list` lists them"
        ));
    };
    let i = code.info();
    let policy = if i.adjustable {
        format!(
            "A policy may change it: [levels] {} = \"deny\", or an [[exceptions]] entry with the repo and a reason.",
            i.name
        )
    } else {
        "A policy cannot change it.".to_string()
    };
    Ok(format!(
        "{} ({} by default)\n\n{}.\n\n{}\n\nTo resolve: {}\n\n{policy}\n",
        i.name,
        i.severity.as_str(),
        i.summary,
        i.explanation,
        i.resolve
    ))
}

/// `explain --license NAME`.
fn explain_license(name: &str) -> anyhow::Result<u8> {
    emit(&license_text(name)?, None)?;
    Ok(super::exit::OK)
}

/// What `explain --license NAME` prints.
pub fn license_text(name: &str) -> anyhow::Result<String> {
    let kb = crate::kb::KnowledgeBase::builtin();
    let Some((l, how)) = kb.explain_name(name) else {
        return Err(anyhow::anyhow!(
            "{name:?} resolves to no license the knowledge base knows: a card naming it is `license-unresolved`; teach it with a [[license]] entry in the policy"
        ));
    };
    let yes = |b: bool| if b { "yes" } else { "no" };
    let how = match &l.variant_of {
        Some(of) => format!("{how} of {of}"),
        None => how.to_string(),
    };
    let mut out = format!(
        "{name:?} resolves to {} ({}) by {how}\n\nfamily: {}\ncommercial use: {}\nshare-alike: {}\nno derivatives: {}\nuse restrictions flow down: {}\nderivatives keep this license: {}\ncommunity license: {}\ncopy of the text travels with derivatives: {}\n",
        l.id,
        l.name,
        l.family,
        yes(l.commercial),
        yes(l.share_alike),
        yes(l.no_derivatives),
        yes(l.use_restrictions),
        yes(l.keep_license),
        yes(l.community),
        yes(l.include_text),
    );
    if let Some(n) = &l.naming {
        out.push_str(&format!("derived names begin with: {n}\n"));
    }
    if !l.attribution.is_empty() {
        out.push_str(&format!("attribution: {}\n", l.attribution));
    }
    if !l.link.is_empty() {
        out.push_str(&format!("text: {}\n", l.link));
    }
    Ok(out)
}
