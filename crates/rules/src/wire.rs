//! `struct audit_rule_data` bytes (native endian), as sent with
//! `AUDIT_ADD_RULE`/`AUDIT_DEL_RULE` and received with `AUDIT_LIST_RULES`.
//!
//! Layout: `flags`, `action`, `field_count`, `mask[64]`, `fields[64]`,
//! `values[64]`, `fieldflags[64]`, `buflen` (all `u32`), then `buf`: the
//! strings of the string fields, in field order, without separators.

use crate::error::RuleError;
use crate::kernel::*;
use crate::rule::{Action, Field, FilterList, Operator, Rule, Value};

const MASK_OFF: usize = 12;
const FIELDS_OFF: usize = MASK_OFF + 4 * AUDIT_BITMASK_SIZE;
const VALUES_OFF: usize = FIELDS_OFF + 4 * AUDIT_MAX_FIELDS;
const FLAGS_OFF: usize = VALUES_OFF + 4 * AUDIT_MAX_FIELDS;
const BUFLEN_OFF: usize = FLAGS_OFF + 4 * AUDIT_MAX_FIELDS;

fn put(out: &mut [u8], off: usize, v: u32) {
    out[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

fn get(b: &[u8], off: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[off..off + 4]);
    u32::from_ne_bytes(w)
}

impl Rule {
    /// Encode as `struct audit_rule_data` (header plus `buf`).
    ///
    /// Errors: more than 64 fields, or strings longer than `u32::MAX`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RuleError> {
        if self.fields.len() > AUDIT_MAX_FIELDS {
            return Err(RuleError::TooManyFields {
                count: self.fields.len(),
            });
        }
        let mut buf = Vec::new();
        for f in &self.fields {
            if let Value::Str(s) = &f.value {
                if u32::try_from(s.len()).is_err() {
                    return Err(RuleError::StringTooLong {
                        field: f.id,
                        len: s.len(),
                    });
                }
                buf.extend_from_slice(s);
            }
        }
        let buflen = u32::try_from(buf.len()).map_err(|_| RuleError::StringTooLong {
            field: 0,
            len: buf.len(),
        })?;
        let mut out = vec![0u8; RULE_DATA_HEADER_LEN];
        put(&mut out, 0, self.flags());
        put(&mut out, 4, self.action.raw());
        put(&mut out, 8, self.fields.len() as u32);
        for (i, w) in self.mask.iter().enumerate() {
            put(&mut out, MASK_OFF + 4 * i, *w);
        }
        for (i, f) in self.fields.iter().enumerate() {
            put(&mut out, FIELDS_OFF + 4 * i, f.id);
            put(&mut out, VALUES_OFF + 4 * i, f.raw_value());
            put(&mut out, FLAGS_OFF + 4 * i, f.op.raw());
        }
        put(&mut out, BUFLEN_OFF, buflen);
        out.extend_from_slice(&buf);
        Ok(out)
    }

    /// Decode `struct audit_rule_data` bytes. Bytes after `buf[buflen]` are
    /// an error unless they are netlink's zero padding to 4 bytes (dropped:
    /// [`Rule::to_bytes`] gives the unpadded form). Also errors: a short header, more than 64
    /// fields, a `buflen` beyond the input, and string lengths that do not
    /// add up to `buflen`.
    ///
    /// Slots of `fields`, `values` and `fieldflags` beyond `field_count`
    /// are ignored (the kernel zeroes them; [`Rule::to_bytes`] writes zeros).
    ///
    /// Which fields are strings follows the kernel and auditctl
    /// ([`crate::kernel::is_string_field`] of `fields[i] & ~AUDIT_OPERATORS`).
    pub fn from_bytes(b: &[u8]) -> Result<Rule, RuleError> {
        if b.len() < RULE_DATA_HEADER_LEN {
            return Err(RuleError::Truncated {
                len: b.len(),
                need: RULE_DATA_HEADER_LEN,
            });
        }
        let flags = get(b, 0);
        let action = get(b, 4);
        let count = get(b, 8);
        if count as usize > AUDIT_MAX_FIELDS {
            return Err(RuleError::BadFieldCount { count });
        }
        let buflen = get(b, BUFLEN_OFF) as usize;
        let buf = &b[RULE_DATA_HEADER_LEN..];
        if buf.len() < buflen {
            return Err(RuleError::Truncated {
                len: b.len(),
                need: RULE_DATA_HEADER_LEN + buflen,
            });
        }
        // Netlink pads messages to 4 bytes: accept zero padding up to that.
        let pad = &buf[buflen..];
        let aligned = (RULE_DATA_HEADER_LEN + buflen).next_multiple_of(4);
        if RULE_DATA_HEADER_LEN + buf.len() > aligned || pad.iter().any(|&x| x != 0) {
            return Err(RuleError::TrailingBytes { extra: pad.len() });
        }
        let mut mask = [0u32; AUDIT_BITMASK_SIZE];
        for (i, w) in mask.iter_mut().enumerate() {
            *w = get(b, MASK_OFF + 4 * i);
        }
        let mut fields = Vec::with_capacity(count as usize);
        let mut off = 0usize;
        for i in 0..count as usize {
            let id = get(b, FIELDS_OFF + 4 * i);
            let v = get(b, VALUES_OFF + 4 * i);
            let op = Operator::from_raw(get(b, FLAGS_OFF + 4 * i));
            let value = if is_string_field(id & !AUDIT_OPERATORS) {
                let end = off.checked_add(v as usize).filter(|&e| e <= buflen).ok_or(
                    RuleError::BadStringLength {
                        index: i,
                        len: v,
                        remaining: buflen - off,
                    },
                )?;
                let s = buf[off..end].to_vec();
                off = end;
                Value::Str(s)
            } else {
                Value::Num(v)
            };
            fields.push(Field { id, op, value });
        }
        if off != buflen {
            return Err(RuleError::TrailingBytes {
                extra: buflen - off,
            });
        }
        Ok(Rule {
            list: FilterList::from_raw(flags & !AUDIT_FILTER_PREPEND),
            prepend: flags & AUDIT_FILTER_PREPEND != 0,
            action: Action::from_raw(action),
            mask,
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_1040_bytes() {
        assert_eq!(RULE_DATA_HEADER_LEN, 1040);
        let r = Rule::new(FilterList::Exit, Action::Always);
        assert_eq!(r.to_bytes().unwrap().len(), 1040);
    }

    #[test]
    fn round_trip_with_strings() {
        let mut r = Rule::new(FilterList::Exit, Action::Always);
        r.prepend = true;
        r.add_syscall(59);
        r.fields
            .push(Field::string(field::DIR, Operator::Equal, &b"/etc"[..]));
        r.fields.push(Field::num(field::UID, Operator::NotEqual, 7));
        r.fields.push(Field::string(
            field::FILTERKEY,
            Operator::Equal,
            &b"a\x01b"[..],
        ));
        let b = r.to_bytes().unwrap();
        assert_eq!(get(&b, 0), AUDIT_FILTER_EXIT | AUDIT_FILTER_PREPEND);
        assert_eq!(get(&b, BUFLEN_OFF), 7);
        assert_eq!(Rule::from_bytes(&b).unwrap(), r);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let r = Rule::new(FilterList::Exit, Action::Always);
        let mut b = r.to_bytes().unwrap();
        assert!(matches!(
            Rule::from_bytes(&b[..100]),
            Err(RuleError::Truncated { .. })
        ));
        put(&mut b, 8, 65);
        assert!(matches!(
            Rule::from_bytes(&b),
            Err(RuleError::BadFieldCount { count: 65 })
        ));
        put(&mut b, 8, 1);
        put(&mut b, FIELDS_OFF, field::DIR);
        put(&mut b, VALUES_OFF, 5);
        put(&mut b, BUFLEN_OFF, 3);
        b.extend_from_slice(b"abc");
        assert!(matches!(
            Rule::from_bytes(&b),
            Err(RuleError::BadStringLength { .. })
        ));
        put(&mut b, VALUES_OFF, 2);
        assert!(matches!(
            Rule::from_bytes(&b),
            Err(RuleError::TrailingBytes { extra: 1 })
        ));
        put(&mut b, VALUES_OFF, 3);
        assert!(Rule::from_bytes(&b).is_ok());
        b.push(0); // padding to 4 bytes is accepted
        assert!(Rule::from_bytes(&b).is_ok());
        b.push(1);
        assert!(matches!(
            Rule::from_bytes(&b),
            Err(RuleError::TrailingBytes { .. })
        ));
        b.pop();
        b.extend_from_slice(&[0; 4]);
        assert!(matches!(
            Rule::from_bytes(&b),
            Err(RuleError::TrailingBytes { .. })
        ));
    }
}
