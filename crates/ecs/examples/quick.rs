//! Quick look: group a log by serial (naively) and print JSON.
use audit_ecs::{Closed, Config, FixedNames, Serializer};
use audit_reassembler::Record;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read(path).unwrap();
    let mut groups: Vec<(u32, Vec<Record>)> = Vec::new();
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let r = Record::parse_log_line(line).unwrap();
        match groups.iter_mut().find(|g| g.0 == r.serial()) {
            Some(g) => g.1.push(r),
            None => groups.push((r.serial(), vec![r])),
        }
    }
    let mut s = Serializer::new(Config::default(), FixedNames::new().with_user(0, "root").with_group(0, "root"));
    let mut out = Vec::new();
    for (_, g) in &groups {
        s.write_event(g, Closed::Timeout, None, &mut out);
    }
    use std::io::Write;
    std::io::stdout().write_all(&out).unwrap();
}
