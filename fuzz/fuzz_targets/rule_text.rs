//! Arbitrary bytes as an auditctl rule file: the parser must not panic and
//! every rule it yields must survive encode/decode/print.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    audit_rules::check::rule_text(data);
});
