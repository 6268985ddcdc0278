//! Insta snapshots of representative events.
//! Provenance: ../shared/conformance/captures/debian12-kernel6.18-raw.log
//! (serials picked by hand) and go-libaudit auparse/audit-rhel6.log (USER_CMD).

mod common;

use audit_reassembler::Completion;
use common::*;

fn snap(serial: u32) -> serde_json::Value {
    let recs = records(&read_shared(
        "conformance/captures/debian12-kernel6.18-raw.log",
    ));
    to_json(
        &mut serializer(),
        &event(&recs, serial),
        Completion::Proctitle,
    )
}

#[test]
fn exec_seq() {
    insta::assert_json_snapshot!(snap(67490));
}

#[test]
fn exec_args_with_quotes_tabs_newlines_utf8() {
    insta::assert_json_snapshot!(snap(68347));
}

#[test]
fn exit_group_end() {
    insta::assert_json_snapshot!(snap(67491));
}

#[test]
fn failed_open_eacces() {
    insta::assert_json_snapshot!(snap(68332));
}

#[test]
fn connect_ipv4() {
    insta::assert_json_snapshot!(snap(68737));
}

#[test]
fn connect_ipv6_unspecified() {
    insta::assert_json_snapshot!(snap(68743));
}

#[test]
fn ssh_user_login() {
    insta::assert_json_snapshot!(snap(69201));
}

#[test]
fn ssh_user_start() {
    insta::assert_json_snapshot!(snap(68769));
}

#[test]
fn login_auid_change() {
    insta::assert_json_snapshot!(snap(68752));
}

#[test]
fn user_cmd_hex_cmd() {
    let recs = records(&read_shared(
        "conformance/go-libaudit/auparse/audit-rhel6.log",
    ));
    let v = to_json(
        &mut serializer(),
        &event(&recs, 19469538),
        Completion::Single,
    );
    insta::assert_json_snapshot!(v);
}
