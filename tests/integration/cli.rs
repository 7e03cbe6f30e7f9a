//! The README is the first screen a newcomer reads: its commands must be true.

use std::collections::BTreeSet;
use std::process::Command;

use clap::CommandFactory;
use fracture::cli::Cli;

use crate::support::project_root;

fn readme() -> String {
    std::fs::read_to_string(project_root().join("README.md")).unwrap()
}

#[test]
fn readme_names_every_subcommand_and_only_real_ones() {
    let cli = Cli::command();
    let real: BTreeSet<String> = cli.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let text = readme();
    let mentioned: BTreeSet<String> = text
        .split(['`', '\n', '|'])
        .filter_map(|s| {
            s.trim()
                .strip_prefix("fracture ")
                .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        })
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase()) && !w.is_empty())
        .collect();
    for m in &mentioned {
        assert!(real.contains(m), "README mentions `fracture {m}`, which is not a subcommand ({real:?})");
    }
    for r in real.iter().filter(|r| r.as_str() != "help") {
        assert!(text.contains(&format!("`{r}`")), "README does not document the `{r}` subcommand");
    }
}

#[test]
fn readme_first_screen_gives_the_run_and_test_commands_ci_uses() {
    let text = readme();
    let first_screen: String = text.lines().take(25).collect::<Vec<_>>().join("\n");
    assert!(
        first_screen.contains("cargo run --release -- run"),
        "main command missing from the first screen"
    );
    let test_line = first_screen
        .lines()
        .find(|l| l.contains("cargo test"))
        .expect("test command on the first screen")
        .split('#')
        .next()
        .unwrap()
        .trim()
        .to_string();
    let ci = std::fs::read_to_string(project_root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == test_line),
        ".ci/run must call the README's test command `{test_line}`"
    );
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["fetch", "ingest", "join", "indicators", "render", "publish", "run", "demo"] {
        let out = Command::new(env!("CARGO_BIN_EXE_fracture")).args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help failed");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.len() > 200, "{sub} --help is too short:\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fracture")).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "unknown subcommand is a usage error");
}
