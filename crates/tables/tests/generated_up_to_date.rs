//! Re-runs `gen/generate.py` into a temporary directory and checks that the
//! committed `src/generated/*.rs` are byte-identical, so the tables cannot
//! drift from their sources (libaudit 3.0.9 via python3-audit, ausyscall,
//! linux-libc-dev headers, gen/syscalls-newer.tsv).
//!
//! Skipped, with the reason printed, when `/usr/bin/python3` cannot
//! `import audit` (python3-audit missing), `cpp` is missing or user
//! namespaces are not available (`unshare -Urm`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const PYTHON: &str = "/usr/bin/python3";

fn skip_reason() -> Option<String> {
    match Command::new(PYTHON).args(["-c", "import audit"]).output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Some(format!(
                "{PYTHON} cannot import audit (install python3-audit): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ))
        }
        Err(e) => return Some(format!("{PYTHON} not runnable: {e}")),
    }
    match Command::new("cpp").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => return Some("cpp (the C preprocessor) not found".to_string()),
    }
    // gen/auparse_args.py reads auparse's socket levels with an empty
    // /etc/protocols, in a user and mount namespace.
    match Command::new("unshare").args(["-Urm", "true"]).output() {
        Ok(o) if o.status.success() => None,
        _ => Some("`unshare -Urm` (user namespaces) not available".to_string()),
    }
}

fn rs_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs"))
        .collect();
    names.sort();
    names
}

#[test]
fn committed_tables_match_generator_output() {
    if let Some(reason) = skip_reason() {
        eprintln!("SKIPPED generated_up_to_date: {reason}");
        return;
    }
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("audit-tables-regen-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    let status = Command::new(PYTHON)
        .arg(crate_dir.join("gen/generate.py"))
        .arg(&out)
        .status()
        .expect("run gen/generate.py");
    assert!(status.success(), "gen/generate.py failed: {status}");

    let committed = crate_dir.join("src/generated");
    let want = rs_files(&committed);
    let got = rs_files(&out);
    assert_eq!(want, got, "set of generated files differs");
    for name in &want {
        let a = fs::read(committed.join(name)).expect("read committed file");
        let b = fs::read(out.join(name)).expect("read regenerated file");
        assert!(
            a == b,
            "src/generated/{name} is stale: run `{PYTHON} crates/tables/gen/generate.py` \
             (diff against {})",
            out.join(name).display()
        );
    }
    let _ = fs::remove_dir_all(&out);
}
