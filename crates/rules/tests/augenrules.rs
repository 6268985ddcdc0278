//! `augenrules` order against the real script (Debian 12, auditd 3.0.9,
//! mawk): `tests/fixtures/augenrules-3.0.9.rules`, made by
//! `tests/fixtures/gen_augenrules_fixture.sh` from the auditd 3.0.9 sample
//! rules plus `tests/fixtures/augenrules-extra/`.

mod common;

use audit_rules::augenrules::assemble;

#[test]
fn assembles_like_augenrules() {
    let mut files = Vec::new();
    let extra = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/augenrules-extra"
    );
    let dirs = [
        common::conformance_dir().join("auditd-3.0.9-rules"),
        extra.into(),
    ];
    for dir in dirs {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name.into_bytes(), std::fs::read(&p).unwrap()));
        }
    }
    let want = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/augenrules-3.0.9.rules"
    ))
    .unwrap();
    let got = assemble("RULES_D", &files);
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&want)
    );
}
