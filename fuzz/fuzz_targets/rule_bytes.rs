//! Arbitrary bytes as `struct audit_rule_data`: decoding must not panic and
//! a decoded rule must print and re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    audit_rules::check::rule_bytes(data);
});
