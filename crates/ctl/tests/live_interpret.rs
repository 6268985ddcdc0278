//! `auditrs ctl -l -i` against `auditctl -l -i` 3.0.9 for rules in the real
//! kernel whose `a0`..`a3` auparse names (issue 2). Holds
//! `audit_client::testkit::LiveKernel` like every live test (see
//! `common/mod.rs`); skips when not root.

mod common;

use common::*;

/// One rule per line, words split on spaces.
const RULES: &str = "\
-a always,exit -F arch=b64 -S ptrace -F a0=4
-a always,exit -F arch=b32 -S ptrace -F a0=0x4206
-a always,exit -F arch=b64 -S open -F a1&0x41
-a always,exit -F arch=b64 -S openat -F a2=0x80241
-a always,exit -F arch=b64 -S socket -F a0=2 -F a1=0x80801 -F a2=6
-a always,exit -F arch=b64 -S setuid -F a0=1000
-a always,exit -F arch=b64 -S setresgid -F a2=0
-a always,exit -F arch=b64 -S kill -F a1=9
-a always,exit -F arch=b64 -S prctl -F a0=23 -F a1=21
-a always,exit -F arch=b64 -S prctl -F a1=21 -F a0=24
-a always,exit -F arch=b64 -S mmap -F a2=7 -F a3=0x22
-a always,exit -F arch=b64 -S lseek -F a2=2
-a always,exit -F arch=b64 -S chmod -F a1=2541
-a always,exit -F arch=b64 -S mknod -F a1=0x61a4
-a always,exit -F arch=b64 -S clone -F a2=0x1200011
-a always,exit -F arch=b64 -S unshare -F a0=0x20000
-a always,exit -F arch=b64 -S ioctl -F a1=0x5401
-a always,exit -F arch=b64 -S personality -F a0=0x40008
-a always,exit -F arch=b64 -S setsockopt -F a1=6 -F a2=1
-a always,exit -F arch=b64 -S fcntl -F a1=2 -F a2=1
-a always,exit -F arch=b64 -S shmget -F a2=0x9c0
-a always,exit -F arch=b64 -S exit_group -F a0!=0
-a always,exit -F arch=b64 -S ptrace -F a0=0x6000
-a always,exit -F arch=b64 -S ptrace,kill -F a0=4
-a always,exit -F arch=b64 -S all -F a0=4
-a always,exit -S ptrace -F a0=5
";

#[test]
fn interpreted_arguments_match_auditctl() {
    let Some(_k) = acquire("interpreted_arguments_match_auditctl") else {
        return;
    };
    clear();
    for line in RULES.lines() {
        let args: Vec<&str> = line.split(' ').collect();
        let (rc, _, rerr) = reference(&args);
        assert_eq!(rc, 0, "auditctl {line}: {rerr}");
    }
    let (rc, rout, _) = reference(&["-l", "-i"]);
    let (oc, oout, oerr) = ours(&["-l", "-i"]);
    clear();
    assert_eq!((oc, oout.as_str()), (rc, rout.as_str()), "{oerr}");
    assert_eq!(rout.lines().count(), RULES.lines().count());
    // The last three stay hex (two syscalls, all, no arch field).
    assert!(rout.contains("-S ptrace -F a0=PTRACE_POKETEXT\n"), "{rout}");
    assert!(
        rout.contains("-S clone -F a2=CLONE_CHILD_CLEARTID|"),
        "{rout}"
    );
    assert!(rout.contains("-S all -F a0=0x4\n"), "{rout}");
}
