//! The module layering, checked from the source text (test only).
//!
//! Every `crate::<module>` reference in `src/**/*.rs` (comments excluded, `use crate::{a, b}` groups
//! included) is an edge between top-level modules. The rules:
//! - no cycle between top-level modules;
//! - the floor (`io`, `crs`, `spatial`, `numbers`, `locale`, `quarter`) uses no stage and no
//!   orchestration module (`commands`, the standalone `join --points` and `interpolate`, stands on the
//!   floor beside the stages);
//! - stages follow the data flow `fetch → ingest → join → indicators → render → publish`: a stage uses
//!   only stages before it (their data types and entry points); `demo` (a generator) uses no stage and
//!   no stage uses it;
//! - no stage reaches into another stage's plumbing (its cache, file writers, hashing, archives): that is
//!   what `io` is for;
//! - `context` (resolve once) uses no stage but `fetch`, which it asks where a cached source is.
//!
//! `cli` and `pipeline` are the orchestration edge: they may use everything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages in data-flow order.
const FLOW: [&str; 6] = ["fetch", "ingest", "join", "indicators", "render", "publish"];
/// Stages outside the flow.
const GENERATORS: [&str; 2] = ["demo", "synth"];
/// Shared modules below every stage.
const FLOOR: [&str; 6] = ["io", "crs", "spatial", "numbers", "locale", "quarter"];
/// Path fragments that name another stage's plumbing.
const PLUMBING: [&str; 9] = [
    "::files::",
    "::cache::",
    "sha256",
    "atomic",
    "persist",
    "temp_beside",
    "hash_file",
    "unzip",
    "CacheEntry",
];

/// One reference: from a top-level module to another, with the path text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub from: String,
    pub to: String,
    pub path: String,
    pub file: PathBuf,
}

/// The top-level module a source file belongs to (`src/fetch/http.rs` → `fetch`), `None` for the
/// crate roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The text of a Rust file without its comments (line comments cut at `//` outside strings).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut prev = '\0';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            } else if c == '/' && prev == '/' && !in_string {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// Every `crate::x...` path in `code`: `(x, path text)`; a group `crate::{a::b, c}` gives one per item.
pub(crate) fn crate_paths(code: &str) -> Vec<(String, String)> {
    let ident =
        |s: &str| -> String { s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
    let path_text = |s: &str| -> String {
        s.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':')).collect()
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(k) = rest.find("crate::") {
        let before = rest[..k].chars().next_back();
        rest = &rest[k + "crate::".len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `fracture_crate::` and the like
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let inner = &group[..end];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices().chain(std::iter::once((inner.len(), ','))) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let item = inner[start..i].trim();
                        let name = ident(item);
                        if !name.is_empty() {
                            out.push((name, item.to_string()));
                        }
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.push((name, path_text(rest)));
            }
        }
    }
    out
}

/// Every cross-module reference under `src`.
pub(crate) fn references(src: &Path) -> Vec<Reference> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Some(from) = module_of(src, &file) else { continue };
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        for (to, path) in crate_paths(&code_only(&text)) {
            if to != from && to != "self" && to != "super" {
                out.push(Reference { from: from.clone(), to, path, file: file.clone() });
            }
        }
    }
    out
}

/// A cycle in the graph, as the list of its modules, if there is one.
pub(crate) fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str())
            && let Some(c) = visit(node, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

/// Every broken rule, one line each (empty = the layering holds).
pub(crate) fn violations(refs: &[Reference]) -> Vec<String> {
    let stage_rank = |m: &str| FLOW.iter().position(|s| *s == m);
    let is_stage = |m: &str| stage_rank(m).is_some() || GENERATORS.contains(&m);
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in refs {
        edges.entry(r.from.clone()).or_default().insert(r.to.clone());
        let at = format!("{}: crate::{}", r.file.display(), r.path);
        let (from, to) = (r.from.as_str(), r.to.as_str());
        if FLOOR.contains(&from) && !FLOOR.contains(&to) {
            problems.push(format!("{at}: the floor module `{from}` uses `{to}`"));
        }
        if is_stage(from) && is_stage(to) {
            match (stage_rank(from), stage_rank(to)) {
                (Some(f), Some(t)) if t < f => {
                    if PLUMBING.iter().any(|p| r.path.contains(p)) {
                        problems
                            .push(format!("{at}: `{from}` reaches into the plumbing of `{to}` (use `io`)"));
                    }
                }
                _ => problems.push(format!("{at}: `{from}` uses `{to}`, against the data flow")),
            }
        }
        if from == "context" && is_stage(to) {
            if to != "fetch" {
                problems.push(format!("{at}: `context` uses the stage `{to}`"));
            } else if PLUMBING.iter().any(|p| r.path.contains(p)) {
                problems.push(format!("{at}: `context` builds fetch's cache layout itself"));
            }
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        problems.push(format!("module cycle: {}", cycle.join(" → ")));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(from: &str, to: &str, path: &str) -> Reference {
        Reference { from: from.into(), to: to.into(), path: path.into(), file: PathBuf::from("x.rs") }
    }

    #[test]
    fn paths_groups_and_comments() {
        let code = code_only(
            "use crate::{context::Context, io::{atomic, hash}};\n\
             let x = crate::fetch::cached_file(&r); // crate::join::Weighting\n\
             let url = \"https://h/crate::render\"; crate::numbers::fr(1.0);\n",
        );
        let found: Vec<String> = crate_paths(&code).into_iter().map(|(m, _)| m).collect();
        assert_eq!(found, vec!["context", "io", "fetch", "render", "numbers"]);
    }

    #[test]
    fn the_rules_catch_yesterdays_seams() {
        let refs = [
            reference("ingest", "publish", "publish::files::write_parquet"),
            reference("publish", "ingest", "ingest::sha256_file"),
            reference("context", "join", "join::Weighting"),
            reference("context", "fetch", "fetch::cache::CacheEntry::new"),
            reference("io", "ingest", "ingest::Inputs"),
        ];
        let all = violations(&refs).join("\n");
        for needle in [
            "`ingest` uses `publish`, against the data flow",
            "`publish` reaches into the plumbing of `ingest`",
            "`context` uses the stage `join`",
            "`context` builds fetch's cache layout itself",
            "the floor module `io` uses `ingest`",
            "module cycle: ingest → publish → ingest",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
        let fine = [
            reference("publish", "render", "render::RenderError"),
            reference("join", "ingest", "ingest::Inputs"),
        ];
        assert!(violations(&fine).is_empty());
    }

    #[test]
    fn the_crate_is_layered() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let refs = references(&src);
        assert!(refs.iter().any(|r| r.from == "publish" && r.to == "ingest"), "the scan finds references");
        let problems = violations(&refs);
        assert!(problems.is_empty(), "{} layering problem(s):\n{}", problems.len(), problems.join("\n"));
    }
}
