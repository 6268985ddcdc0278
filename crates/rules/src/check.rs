//! Invariant checks shared by the fuzz targets (`fuzz/fuzz_targets/`) and
//! the crate's property tests. Each function takes arbitrary bytes and
//! panics only when an invariant of this crate is broken.

use crate::command::Command;
use crate::host::FakeHost;
use crate::print::Printer;
use crate::rule::Rule;

/// Arbitrary bytes as a rule file: parsing never panics; every rule it
/// yields encodes, decodes to itself, and prints.
pub fn rule_text(data: &[u8]) {
    let host = FakeHost::x86_64().with_dir("/tmp");
    for line in crate::file::parse_rule_file("fuzz", data, &host) {
        let Ok(parsed) = line.result else { continue };
        for c in parsed.commands {
            if let Command::AddRule(r) | Command::DeleteRule(r) = c {
                let bytes = r.to_bytes().expect("parsed rules have at most 64 fields");
                let back = Rule::from_bytes(&bytes).expect("own encoding decodes");
                assert_eq!(back.to_bytes().ok(), Some(bytes), "re-encoding differs");
                let _ = Printer::new(Some(crate::kernel::AUDIT_ARCH_X86_64), false).rule(&back);
            }
        }
    }
}

/// Arbitrary bytes as `struct audit_rule_data`: decoding never panics; a
/// decoded rule prints (both modes) and encodes to the input without its
/// netlink padding and with the unused field slots zeroed.
pub fn rule_bytes(data: &[u8]) {
    let Ok(rule) = Rule::from_bytes(data) else {
        return;
    };
    let mut p = Printer::new(Some(crate::kernel::AUDIT_ARCH_X86_64), false);
    let _ = p.rule(&rule);
    let _ = Printer::new(None, true).listing(std::slice::from_ref(&rule));
    let bytes = rule
        .to_bytes()
        .expect("decoded rules have at most 64 fields");
    let mut expected = data[..bytes.len().min(data.len())].to_vec();
    let used = rule.fields.len();
    for array in 0..3 {
        let start = 12 + 4 * 64 + array * 4 * 64;
        for b in &mut expected[start + 4 * used..start + 4 * 64] {
            *b = 0;
        }
    }
    assert_eq!(bytes, expected, "re-encoding differs from the input");
    assert!(data[bytes.len()..].iter().all(|&b| b == 0) && data.len() - bytes.len() < 4);
}
