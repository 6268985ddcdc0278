//! `-t` (AUDIT_TRIM) and `-q MOUNT,SUBTREE` (AUDIT_MAKE_EQUIV) against
//! the real kernel, compared with auditctl 3.0.9: same exit code, same
//! stdout, same stderr (ours may add detail after auditctl's text), and
//! the kernel's rule list unchanged by either request.
//!
//! Holds `audit_client::testkit::LiveKernel` (global lock; the rules the
//! test adds are deleted again, also on failure). The kernel's audit trees
//! only exist for directory watches: the watch this test adds is removed
//! before the end, which frees its tree and the tags `-q` put on it.

mod common;

use std::path::PathBuf;

use common::*;

/// A fresh directory under the temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("auditrs-ctl-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temp dir path is UTF-8")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `args` with auditctl, then with us; returns a description of any
/// difference (exit code, stdout, stderr lines, rule listing).
fn compare(args: &[&str]) -> Option<String> {
    let before = listing();
    let (rc, rout, rerr) = reference(args);
    let after_reference = listing();
    let (oc, oout, oerr) = ours(args);
    let after_ours = listing();
    // Our messages may add detail after auditctl's text, never change it.
    let same_err = oerr.lines().count() == rerr.lines().count()
        && oerr
            .lines()
            .zip(rerr.lines())
            .all(|(o, r)| o.starts_with(r));
    let same = (oc, oout.as_str()) == (rc, rout.as_str()) && same_err;
    let unchanged = after_reference == before && after_ours == before;
    (!same || !unchanged).then(|| {
        format!(
            "{args:?}: auditctl ({rc}, {rout:?}, {rerr:?}) ours ({oc}, {oout:?}, {oerr:?}); \
             rules before {before:?}, after auditctl {after_reference:?}, after ours {after_ours:?}"
        )
    })
}

#[test]
fn trim_and_make_equivalent_match_auditctl() {
    let Some(mut k) = acquire("trim_and_make_equivalent_match_auditctl") else {
        return;
    };
    let (a, b) = (TempDir::new("tree-a"), TempDir::new("tree-b"));
    let missing = format!("{}/missing", b.path());
    let key = format!("auditrs-tree-{}", std::process::id());
    let equiv = format!("{},{}", a.path(), b.path());
    let cases: Vec<Vec<String>> = vec![
        vec!["-t".into()],
        // No tree watches `a`: the kernel resolves both paths, succeeds.
        vec!["-q".into(), equiv.clone()],
        // audit_tag_tree: kern_path fails (subtree, then mount).
        vec!["-q".into(), format!("{},{missing}", a.path())],
        vec!["-q".into(), format!("{missing},{}", b.path())],
        // audit_unpack_string: empty mount point.
        vec!["-q".into(), format!(",{}", b.path())],
        // Parse errors, nothing sent.
        vec!["-q".into(), a.path().into()],
        vec!["-q".into(), format!("{},", a.path())],
    ];
    let mut failures: Vec<String> = Vec::new();
    let run = |cases: &[Vec<String>], failures: &mut Vec<String>| {
        for case in cases {
            let args: Vec<&str> = case.iter().map(String::as_str).collect();
            failures.extend(compare(&args));
        }
    };
    run(&cases, &mut failures);
    // With a directory watch on `a`, the kernel has an audit tree for it:
    // `-q` tags `b` into that tree, `-t` prunes it. Neither changes the
    // rule list.
    let (code, _, err) = reference(&["-w", a.path(), "-p", "wa", "-k", &key]);
    assert_eq!(code, 0, "auditctl -w {}: {err}", a.path());
    assert!(listing().contains(&key), "{}", listing());
    run(
        &[
            vec!["-q".into(), equiv.clone()],
            vec!["-t".into()],
            vec!["-q".into(), format!("{},{missing}", a.path())],
        ],
        &mut failures,
    );
    let (code, _, err) = reference(&["-W", a.path(), "-p", "wa", "-k", &key]);
    assert_eq!(code, 0, "auditctl -W {}: {err}", a.path());
    assert!(!listing().contains(&key), "{}", listing());
    // The guard puts back anything else; the rule list is what it was.
    assert_eq!(
        k.control().list_rules().unwrap(),
        k.snapshot_rules(),
        "rules changed"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
