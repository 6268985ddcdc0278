//! Event categorization: `event.action`, `event.category`, `event.type` and
//! the `auditd.summary` object kind, per syscall and per record type.
//!
//! The action names and ECS categories follow Auditbeat's auditd module
//! (go-libaudit `aucoalesce/normalizations.yaml`) so that dashboards and
//! detection rules written for Auditbeat match. Additions of ours are marked.

/// How to fill `auditd.summary.object` and `file.*` for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// The object is a PATH record (`path_index` is the preferred item).
    File {
        /// Preferred PATH item (PARENT/UNKNOWN items are skipped).
        path_index: u8,
        /// Summary object type when the mode is unknown.
        what: &'static str,
    },
    /// The object is the SOCKADDR.
    Socket,
    /// A process (kill targets, identity changes).
    Process,
    /// A user session (PAM / login records): terminal, addr.
    UserSession,
    /// Something else, named (`audit-config`, `system`, `service`...).
    Other(&'static str),
    /// Named, with the fields that give the object's primary and secondary
    /// value (first one present wins), as go-libaudit's normalizations.
    Fields {
        /// Summary object type (empty: none).
        what: &'static str,
        /// Candidate fields for `summary.object.primary`.
        primary: &'static [&'static str],
        /// Candidate fields for `summary.object.secondary`.
        secondary: &'static [&'static str],
    },
    /// Nothing.
    None,
}

/// The categorization of one syscall or record type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Norm {
    /// `event.action`; empty: use the syscall name (ours, see README).
    pub action: &'static str,
    /// `event.category` values.
    pub category: &'static [&'static str],
    /// `event.type` values.
    pub kind: &'static [&'static str],
    /// What the summary object is.
    pub object: ObjectKind,
    /// Fields for `summary.actor.primary` (empty: `auid`).
    pub actor: &'static [&'static str],
    /// Fields for `summary.how` (empty: `exe`, else `comm`).
    pub how: &'static [&'static str],
}

impl Norm {
    const fn actor(mut self, fields: &'static [&'static str]) -> Self {
        self.actor = fields;
        self
    }
    const fn how(mut self, fields: &'static [&'static str]) -> Self {
        self.how = fields;
        self
    }
}

const fn obj(
    what: &'static str,
    primary: &'static [&'static str],
    secondary: &'static [&'static str],
) -> ObjectKind {
    ObjectKind::Fields {
        what,
        primary,
        secondary,
    }
}

const fn n(
    action: &'static str,
    category: &'static [&'static str],
    kind: &'static [&'static str],
    object: ObjectKind,
) -> Norm {
    Norm {
        action,
        category,
        kind,
        object,
        actor: &[],
        how: &[],
    }
}

const FILE: ObjectKind = ObjectKind::File {
    path_index: 0,
    what: "file",
};
const FS: ObjectKind = ObjectKind::File {
    path_index: 0,
    what: "filesystem",
};
const PROC_INFO: (&[&str], &[&str]) = (&["process"], &["info"]);
const NET_INFO: &[&str] = &["connection", "info"];
const NET_START: &[&str] = &["connection", "start"];

/// The catch-all for syscalls without a specific entry (Auditbeat's `*`).
pub const SYSCALL_DEFAULT: Norm = n("", PROC_INFO.0, PROC_INFO.1, ObjectKind::None);

/// Categorization of a syscall by name.
pub fn for_syscall(name: &str) -> Norm {
    match name {
        "creat" => n("opened-file", &["file"], &["creation"], FILE),
        "fallocate" | "truncate" | "ftruncate" => n("opened-file", &["file"], &["change"], FILE),
        "open" | "openat" | "openat2" | "readlink" | "readlinkat" => {
            n("opened-file", &["file"], &["info"], FILE)
        }
        "read" => n("read-file", &["file"], &["info"], FILE),
        "setxattr" | "fsetxattr" | "lsetxattr" | "removexattr" | "fremovexattr"
        | "lremovexattr" => n("changed-file-attributes-of", &["file"], &["change"], FILE),
        "chmod" | "fchmod" | "fchmodat" | "fchmodat2" => {
            n("changed-file-permissions-of", &["file"], &["change"], FILE)
        }
        "chown" | "fchown" | "fchownat" | "lchown" => {
            n("changed-file-ownership-of", &["file"], &["change"], FILE)
        }
        "finit_module" | "init_module" => n("loaded-kernel-module", &["driver"], &["start"], FILE),
        "delete_module" => n("unloaded-kernel-module", &["file"], &["end"], FILE),
        "mkdir" | "mkdirat" => n(
            "created-directory",
            &["file"],
            &["creation"],
            ObjectKind::File {
                path_index: 1,
                what: "file",
            },
        ),
        "mount" => n(
            "mounted",
            &["file"],
            &["creation"],
            ObjectKind::File {
                path_index: 1,
                what: "filesystem",
            },
        ),
        "rename" | "renameat" | "renameat2" => n(
            "renamed",
            &["file"],
            &["change"],
            ObjectKind::File {
                path_index: 2,
                what: "file",
            },
        ),
        "access" | "faccessat" | "faccessat2" | "newfstatat" | "stat" | "fstat" | "lstat"
        | "stat64" | "statx" | "getxattr" | "lgetxattr" | "fgetxattr" => {
            n("checked-metadata-of", &["file"], &["info"], FILE)
        }
        "statfs" | "fstatfs" => n("checked-filesystem-metadata-of", &["file"], &["info"], FS),
        "symlink" | "symlinkat" => n("symlinked", &["file"], &["creation"], FILE),
        "umount2" | "umount" => n("unmounted", &["file"], &["deletion"], FS),
        "rmdir" | "unlink" | "unlinkat" => n("deleted", &["file"], &["deletion"], FILE),
        "link" | "linkat" => n("linked", &["file"], &["creation"], FILE),
        "utime" | "utimes" | "futimesat" | "futimens" | "utimensat" => {
            n("changed-timestamp-of", &["file"], &["info"], FILE)
        }
        "execve" | "execveat" => n("executed", &["process"], &["start"], FILE),
        // Ours: Auditbeat has no entry for process exit.
        "exit" | "exit_group" => n("end", &["process"], &["end"], ObjectKind::Process),
        "listen" => n(
            "listen-for-connections",
            &["network"],
            &["start"],
            ObjectKind::Socket,
        ),
        "accept" | "accept4" => n(
            "accepted-connection-from",
            &["network"],
            NET_START,
            ObjectKind::Socket,
        ),
        "bind" => n("bound-socket", &["network"], &["start"], ObjectKind::Socket),
        "connect" => n("connected-to", &["network"], NET_START, ObjectKind::Socket),
        "recvfrom" | "recvmsg" => n("received-from", &["network"], NET_INFO, ObjectKind::Socket),
        "sendto" | "sendmsg" => n("sent-to", &["network"], NET_INFO, ObjectKind::Socket),
        "kill" | "tkill" | "tgkill" => n("killed-pid", &["process"], &["end"], ObjectKind::Process),
        "setuid" | "seteuid" | "setfsuid" | "setreuid" | "setresuid" | "setgid" | "setegid"
        | "setfsgid" | "setregid" | "setresgid" => n(
            "changed-identity-of",
            &["process"],
            &["change"],
            ObjectKind::Process,
        ),
        "settimeofday" | "clock_settime" | "stime" | "adjtimex" | "clock_adjtime" => n(
            "changed-system-time",
            &["host"],
            &["change"],
            ObjectKind::Other("system"),
        ),
        "mknod" | "mknodat" => n("make-device", &["file"], &["creation"], FILE),
        "sethostname" | "setdomainname" => n(
            "changed-system-name",
            &["host"],
            &["change"],
            ObjectKind::Other("system"),
        ),
        "mmap" | "brk" => n(
            "allocated-memory",
            PROC_INFO.0,
            PROC_INFO.1,
            ObjectKind::Other("memory"),
        ),
        "sched_setparam" | "sched_setscheduler" | "sched_setattr" => n(
            "adjusted-scheduling-policy-of",
            &["process"],
            &["change"],
            ObjectKind::Process,
        ),
        _ => SYSCALL_DEFAULT,
    }
}

const SESSION: ObjectKind = ObjectKind::UserSession;
const ACCOUNT: ObjectKind = obj("account", &["id", "acct"], &[]);
const NONE: ObjectKind = ObjectKind::None;
const AUTH: &[&str] = &["authentication"];
const IAM: &[&str] = &["iam"];
const HOST: &[&str] = &["host"];
const PROC: &[&str] = &["process"];
const INFO: &[&str] = &["info"];
const CFG: ObjectKind = obj(
    "audit-config",
    &[
        "op",
        "key",
        "audit_enabled",
        "audit_pid",
        "audit_backlog_limit",
        "audit_failure",
    ],
    &[],
);
const SVC: ObjectKind = ObjectKind::Other("service");
const MAC: ObjectKind = ObjectKind::Other("mac-config");

/// A record type without an entry (and no SYSCALL to fall back on).
pub const RECORD_DEFAULT: Norm = n("", &[], &[], ObjectKind::None);

/// AVC records from AppArmor (they carry `apparmor=`).
pub const APPARMOR_AVC: Norm = n(
    "violated-apparmor-policy",
    &[],
    &[],
    obj(
        "policy",
        &["operation"],
        &["requested_mask", "denied_mask", "capname"],
    ),
);

/// Categorization of a record type (by libaudit name, e.g. `USER_LOGIN`).
/// `None` when there is no entry (the syscall's, if any, is used).
pub fn for_record_type(name: &str) -> Option<Norm> {
    let user_change = &["user", "change"][..];
    Some(match name {
        "ACCT_LOCK" => n("locked-account", IAM, &["user", "info"], NONE),
        "ACCT_UNLOCK" => n("unlocked-account", IAM, &["user", "info"], NONE),
        "ADD_GROUP" => n(
            "added-group-account-to",
            IAM,
            &["group", "creation"],
            ACCOUNT,
        ),
        "ADD_USER" => n("added-user-account", IAM, &["user", "creation"], ACCOUNT),
        "DEL_GROUP" => n(
            "deleted-group-account-from",
            IAM,
            &["group", "deletion"],
            ACCOUNT,
        ),
        "DEL_USER" => n("deleted-user-account", IAM, &["user", "deletion"], ACCOUNT),
        "GRP_MGMT" => n("modified-group-account", IAM, &["group", "change"], ACCOUNT),
        "ROLE_ASSIGN" => n("assigned-user-role-to", IAM, user_change, ACCOUNT),
        "ROLE_MODIFY" => n("modified-role", IAM, &["change"], NONE),
        "ROLE_REMOVE" => n("removed-use-role-from", IAM, user_change, ACCOUNT),
        "USER_MGMT" => n("modified-user-account", IAM, user_change, SESSION),
        "USER_CHAUTHTOK" => n("changed-password", IAM, user_change, SESSION),
        "GRP_CHAUTHTOK" => n(
            "changed-group-password",
            IAM,
            &["group", "change"],
            obj("user-session", &["acct"], &["addr", "hostname"]),
        ),
        "CRED_ACQ" => n("acquired-credentials", AUTH, INFO, SESSION),
        "CRED_DISP" => n("disposed-credentials", AUTH, INFO, SESSION),
        "CRED_REFR" => n("refreshed-credentials", AUTH, INFO, SESSION),
        "GRP_AUTH" => n("authenticated-to-group", AUTH, INFO, NONE),
        "LOGIN" => n(
            "changed-login-id-to",
            AUTH,
            &["start"],
            obj("user-session", &["auid"], &[]),
        )
        .actor(&["old_auid", "old-auid"]),
        "USER_ACCT" => n("was-authorized", AUTH, INFO, SESSION),
        "USER_AUTH" => n("authenticated", AUTH, INFO, SESSION),
        "USER_END" => n("ended-session", &["session"], &["end"], SESSION),
        "USER_ERR" => n("error", AUTH, INFO, SESSION),
        "USER_LOGIN" => n("logged-in", AUTH, &["start"], SESSION),
        "USER_LOGOUT" => n("logged-out", AUTH, &["end"], SESSION),
        "USER_ROLE_CHANGE" => n(
            "changed-role-to",
            &[],
            &[],
            obj("user-session", &["selected-context"], &["addr", "hostname"]),
        ),
        "USER_START" => n("started-session", &["session"], &["start"], SESSION),
        "VIRT_CONTROL" => n(
            "issued-vm-control",
            HOST,
            INFO,
            obj("virtual-machine", &["op"], &["vm"]),
        ),
        "VIRT_CREATE" => n("created-vm-image", HOST, INFO, NONE),
        "VIRT_DESTROY" => n("deleted-vm-image", HOST, INFO, NONE),
        "VIRT_INTEGRITY_CHECK" => n("checked-integrity-of", HOST, INFO, NONE),
        "VIRT_MACHINE_ID" => n(
            "assigned-vm-id",
            HOST,
            INFO,
            obj("virtual-machine", &["vm"], &[]),
        ),
        "VIRT_MIGRATE_IN" => n("migrated-vm-from", HOST, INFO, NONE),
        "VIRT_MIGRATE_OUT" => n("migrated-vm-to", HOST, INFO, NONE),
        "VIRT_RESOURCE" => n(
            "assigned-vm-resource",
            HOST,
            INFO,
            obj("virtual-machine", &["resrc"], &["vm"]),
        ),
        "CHGRP_ID" => n("changed-group", PROC, &["change"], NONE),
        "CHUSER_ID" => n("changed-user-id", PROC, &["change"], NONE),
        "TEST" => n("sent-test", PROC, INFO, NONE),
        "TRUSTED_APP" => n("unknown", PROC, INFO, NONE),
        "USER_CMD" => n(
            "ran-command",
            PROC,
            &["start"],
            obj("process", &["cmd"], &[]),
        ),
        "SYSTEM_BOOT" => n(
            "booted-system",
            HOST,
            &["start"],
            ObjectKind::Other("system"),
        ),
        "SYSTEM_RUNLEVEL" => n(
            "changed-to-runlevel",
            HOST,
            &["change"],
            obj("system", &["new-level"], &[]),
        ),
        "SYSTEM_SHUTDOWN" => n(
            "shutdown-system",
            HOST,
            &["end"],
            ObjectKind::Other("system"),
        ),
        "SERVICE_START" => n(
            "started-service",
            PROC,
            &["start"],
            obj("service", &["unit"], &[]),
        ),
        "SERVICE_STOP" => n(
            "stopped-service",
            PROC,
            &["stop"],
            obj("service", &["unit"], &[]),
        ),
        "CONFIG_CHANGE" => n(
            "changed-audit-configuration",
            &["process", "configuration"],
            &["change"],
            CFG,
        ),
        "DAEMON_ABORT" => n("aborted-auditd-startup", PROC, &["stop"], SVC),
        "DAEMON_ACCEPT" => n("remote-audit-connected", &["network"], NET_START, SVC),
        "DAEMON_CLOSE" => n("remote-audit-disconnected", &["network"], NET_START, SVC),
        "DAEMON_CONFIG" => n("changed-auditd-configuration", PROC, &["stop"], SVC),
        "DAEMON_END" => n("shutdown-audit", PROC, &["stop"], SVC),
        "DAEMON_ERR" => n("audit-error", PROC, INFO, SVC),
        "DAEMON_RECONFIG" => n("reconfigured-auditd", PROC, &["change"], SVC),
        "DAEMON_RESUME" => n("resumed-audit-logging", PROC, &["change"], SVC),
        "DAEMON_ROTATE" => n("rotated-audit-logs", PROC, &["change"], SVC),
        "DAEMON_START" => n("started-audit", PROC, &["start"], SVC),
        "KERNEL" => n("initialized-audit-subsystem", PROC, INFO, NONE),
        "USYS_CONFIG" => n(
            "changed-configuration",
            &[],
            &[],
            obj("system", &["op"], &[]),
        ),
        "NETFILTER_CFG" => n(
            "loaded-firewall-rule-to",
            &["configuration"],
            &["change"],
            obj("firewall", &["table"], &[]),
        ),
        "FEATURE_CHANGE" => n(
            "changed-audit-feature",
            &[],
            &[],
            obj("system", &["feature"], &[]),
        ),
        "TTY" | "USER_TTY" => {
            n("typed", &[], &[], obj("keystrokes", &["data"], &[])).how(&["comm", "exe"])
        }
        "AVC" => n(
            "violated-selinux-policy",
            &[],
            &[],
            obj("", &["tcontext"], &["tclass"]),
        )
        .actor(&["scontext"]),
        "FS_RELABEL" => n("relabeled-filesystem", &[], &[], MAC),
        "LABEL_LEVEL_CHANGE" => n(
            "modified-level-of",
            &[],
            &[],
            obj("printer", &["printer"], &[]),
        ),
        "LABEL_OVERRIDE" => n("overrode-label-of", &[], &[], MAC),
        "MAC_CHECK" => n("mac-permission", &[], &[], NONE),
        "MAC_CONFIG_CHANGE" => n(
            "changed-selinux-boolean",
            &[],
            &[],
            obj("mac-config", &["bool"], &[]),
        ),
        "MAC_POLICY_LOAD" => n("loaded-selinux-policy", &[], &[], MAC),
        "MAC_STATUS" => n(
            "changed-selinux-enforcement",
            &[],
            &[],
            obj("mac-config", &["enforcing"], &[]),
        ),
        "USER_AVC" => n("access-permission", &[], &[], NONE),
        "USER_MAC_CONFIG_CHANGE" => n("changed-mac-configuration", &[], &[], MAC),
        "USER_MAC_POLICY_LOAD" => n("loaded-mac-policy", &[], &[], MAC),
        "USER_SELINUX_ERR" => n("access-error", &[], &[], NONE),
        "SECCOMP" => n(
            "violated-seccomp-policy",
            &[],
            &[],
            obj("process", &["syscall"], &[]),
        ),
        "SELINUX_ERR" => n(
            "caused-mac-policy-error",
            &[],
            &[],
            ObjectKind::Other("system"),
        ),
        "CRYPTO_KEY_USER" => n(
            "negotiated-crypto-key",
            PROC,
            INFO,
            obj("user-session", &["fp"], &["addr", "hostname"]),
        ),
        "CRYPTO_LOGIN" => n("crypto-officer-logged-in", &[], &[], NONE),
        "CRYPTO_LOGOUT" => n("crypto-officer-logged-out", PROC, INFO, NONE),
        "CRYPTO_SESSION" => n(
            "started-crypto-session",
            PROC,
            INFO,
            obj("user-session", &["addr"], &["rport"]),
        ),
        "DAC_CHECK" => n("access-result", &[], &[], NONE),
        "ANOM_ABEND" => n(
            "crashed-program",
            &["process", "intrusion_detection"],
            &["end", "info"],
            obj("process", &["comm", "exe"], &["pid"]),
        )
        .how(&["sig"]),
        "ANOM_EXEC" => n(
            "attempted-execution-of-forbidden-program",
            PROC,
            &["start"],
            obj("process", &["cmd"], &[]),
        )
        .how(&["terminal"]),
        "ANOM_LINK" => n("used-suspcious-link", &[], &[], NONE),
        "ANOM_LOGIN_FAILURES" => n("failed-log-in-too-many-times-to", &[], &[], SESSION),
        "ANOM_LOGIN_LOCATION" => n("attempted-log-in-from-unusual-place-to", &[], &[], SESSION),
        "ANOM_LOGIN_SESSIONS" => n("opened-too-many-sessions-to", &[], &[], SESSION),
        "ANOM_LOGIN_TIME" => n("attempted-log-in-during-unusual-hour-to", &[], &[], SESSION),
        "ANOM_PROMISCUOUS" => n(
            "changed-promiscuous-mode-on-device",
            &["intrusion_detection", "process"],
            &["info", "change"],
            obj("network-device", &["dev"], &[]),
        ),
        "ANOM_RBAC_INTEGRITY_FAIL" => n(
            "tested-file-system-integrity-of",
            &[],
            &[],
            obj("filesystem", &["hostname"], &[]),
        ),
        "KERN_MODULE" => n(
            "loaded-kernel-module",
            &["driver"],
            &["start"],
            obj("file", &["name"], &[]),
        ),
        "USER" => n("sent-message", &[], &[], obj("", &["addr"], &[])),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditbeat_actions() {
        assert_eq!(for_syscall("execve").action, "executed");
        assert_eq!(for_syscall("connect").action, "connected-to");
        assert_eq!(for_syscall("openat").action, "opened-file");
        assert_eq!(for_syscall("setresuid").action, "changed-identity-of");
        assert_eq!(for_syscall("exit_group").action, "end");
        assert_eq!(for_syscall("nosuch"), SYSCALL_DEFAULT);
        assert_eq!(
            for_record_type("USER_LOGIN").map(|n| n.action),
            Some("logged-in")
        );
        assert_eq!(for_record_type("SYSCALL"), None);
    }
}
