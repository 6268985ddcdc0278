//! io_uring rules against the real kernel (6.x has `AUDIT_FILTER_URING_EXIT`).
//! auditctl 3.0.9 does not know the io_uring list ("bad keyword"); we take
//! auditctl 3.1's syntax, `-S` naming io_uring ops. Checked here: the kernel
//! accepts our rules, stores the bytes `--dump-bytes` prints (op numbers in
//! the mask), lists them back as we wrote them, and `-d` removes them.
//! Holds `audit_client::testkit::LiveKernel` (see `common/mod.rs`).

mod common;

use common::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn io_uring_rules_load_list_and_delete() {
    let Some(mut k) = acquire("io_uring_rules_load_list_and_delete") else {
        return;
    };
    clear();
    let add = [
        "-a",
        "always,io_uring",
        "-S",
        "openat,connect",
        "-F",
        "uid=0",
        "-k",
        "uring",
    ];
    // auditctl 3.0.9 refuses the list; nothing reaches the kernel.
    let (rc, _, rerr) = reference(&add);
    assert_eq!(
        (rc, rerr.trim()),
        (255, "Append rule - bad keyword always,io_uring")
    );
    assert_eq!(listing(), "No rules\n");

    let (oc, oout, oerr) = ours(&add);
    assert_eq!((oc, oout.as_str()), (0, ""), "{oerr}");
    let kernel = k.control().list_rules().expect("listing rules");
    assert_eq!(kernel.len(), 1);
    let mut dump = vec!["--dump-bytes"];
    dump.extend_from_slice(&add);
    let (dc, dout, derr) = ours(&dump);
    assert_eq!(dc, 0, "{derr}");
    assert_eq!(
        dout.trim(),
        hex(&kernel[0]),
        "kernel bytes differ from --dump-bytes"
    );
    // flags (list 7), then the mask: ops 16 (connect) and 18 (openat) only.
    assert_eq!(u32::from_ne_bytes(kernel[0][0..4].try_into().unwrap()), 7);
    let mask0 = u32::from_ne_bytes(kernel[0][12..16].try_into().unwrap());
    assert_eq!(mask0, (1 << 16) | (1 << 18));
    assert!(kernel[0][16..12 + 64 * 4].iter().all(|&b| b == 0));

    let (lc, lout, _) = ours(&["-l"]);
    assert_eq!(
        (lc, lout.as_str()),
        (
            0,
            "-a always,io_uring -S connect,openat -F uid=0 -F key=uring\n"
        )
    );
    // 3.0.9 lists what it cannot name as "(null)" with x86_64 syscall names.
    assert!(listing().starts_with("-a always,(null) -S "));

    let mut del = add;
    del[0] = "-d";
    let (dc, _, derr) = ours(&del);
    assert_eq!(dc, 0, "{derr}");
    assert_eq!(listing(), "No rules\n");

    // `-S all` and numbers.
    let (oc, _, oerr) = ours(&["-a", "always,io_uring", "-S", "19", "-F", "auid>=1000"]);
    assert_eq!(oc, 0, "{oerr}");
    let (_, lout, _) = ours(&["-l"]);
    assert_eq!(lout, "-a always,io_uring -S close -F auid>=1000\n");
    clear();
}
