//! Kernel setup and teardown around the event socket: rules, settings,
//! enabling, the multicast self-exclusion rule.
//!
//! What stays after exit, as with auditd: the loaded rules and settings
//! (the kernel keeps auditing; without a daemon its records go to the
//! kernel log). What is undone: the registration (audit pid back to 0) and
//! the `-A exit,never -F pid=OURPID` rule added in multicast mode.
//!
//! Self-exclusion: a registered daemon's own syscalls are not audited by
//! the kernel (`audit_filter_syscall` skips the task `auditd_test_task`
//! matches), so unicast mode needs no rule. In multicast mode another
//! process is registered, so a `never` rule for our pid is prepended.

use anyhow::Context;
use audit_client::{AuditControl, AuditStatus, StatusChange, Transport};
use audit_daemon::Config;
use audit_rules::SystemHost;

/// What setup changed that teardown undoes.
#[derive(Debug, Default)]
pub struct Setup {
    /// The self-exclusion rule (multicast), to delete at exit.
    pub exclusion: Option<Vec<u8>>,
}

/// The kernel's status, or a clear error.
pub fn status<T: Transport>(control: &mut AuditControl<T>) -> anyhow::Result<AuditStatus> {
    control
        .get_status()
        .context("reading the kernel's audit status (AUDIT_GET)")
}

/// Loads rules and settings and enables auditing, after registration.
/// `explicit_rules`: `--rules` was given (multicast then loads them too).
///
/// `reload` (SIGHUP): when the kernel already holds exactly the rules the
/// source adds, nothing is deleted or added, so no event is missed; a
/// changed rule set is loaded as at start (`-D`, then the rules: a window
/// of a few milliseconds without rules).
pub fn setup<T: Transport>(
    control: &mut AuditControl<T>,
    config: &Config,
    explicit_rules: bool,
    reload: bool,
) -> anyhow::Result<Setup> {
    let done = Setup::default();
    let st = status(control)?;
    if st.is_locked() {
        tracing::warn!("the audit configuration is locked (enabled=2, auditctl -e 2): keeping the kernel's rules and settings, reading only");
        return Ok(done);
    }
    let load = !config.keep_kernel_rules
        && (!config.multicast || explicit_rules || config.rules.is_some());
    if load {
        match config.rules.clone().or_else(audit_daemon::rules::default_source) {
            Some(src) => {
                let text = audit_daemon::rules::assemble(&src)?;
                let label = src.display().to_string();
                let host = SystemHost { features: st.feature_bitmap };
                let unchanged = reload
                    && control.list_rules().ok()
                        == Some(audit_daemon::rules::planned_rules(host.clone(), &text));
                if unchanged {
                    tracing::info!(rules = %label, "rules unchanged: kernel rules kept as they are");
                    return finish_setup(control, config, done);
                }
                let report = audit_daemon::rules::load(control, host, &label, &text)?;
                for m in report.messages.lines().filter(|l| !l.trim().is_empty()) {
                    tracing::warn!(rules = %label, "{m}");
                }
                tracing::info!(rules = %label, added = report.added, settings = report.settings, "rules loaded (kernel rules replaced)");
            }
            None => tracing::warn!("no rules found (/etc/audit/rules.d/ and ./rules.d/ are absent): keeping the kernel's rules"),
        }
    } else if config.multicast {
        tracing::info!("multicast: keeping the kernel's rules (the registered daemon owns them; --rules loads ours)");
    }
    finish_setup(control, config, done)
}

/// Settings, enabling and the self-exclusion rule (after the rules).
fn finish_setup<T: Transport>(
    control: &mut AuditControl<T>,
    config: &Config,
    mut done: Setup,
) -> anyhow::Result<Setup> {
    let change = StatusChange {
        backlog_limit: config.backlog_limit,
        rate_limit: config.rate_limit,
        failure: config.failure_mode,
        backlog_wait_time: config.backlog_wait_time,
        ..Default::default()
    };
    if !change.is_empty() {
        control
            .set_status(&change)
            .with_context(|| format!("applying kernel settings {change:?}"))?;
    }
    let st = status(control)?;
    if st.enabled == 0 {
        if config.enable {
            control
                .set_status(&StatusChange {
                    enabled: Some(1),
                    ..Default::default()
                })
                .context("enabling auditing (auditctl -e 1)")?;
            tracing::info!("auditing was disabled in the kernel: enabled it");
        } else {
            tracing::warn!(
                "auditing is disabled in the kernel (enable = false): no events will come"
            );
        }
    }
    if config.multicast {
        let pid = std::process::id().to_string();
        let rule = audit_daemon::rules::rule_bytes(
            SystemHost::default(),
            &["-A", "exit,never", "-F", &format!("pid={pid}")],
        )?;
        let before = control.list_rules().unwrap_or_default();
        match control.add_rule(&rule) {
            Ok(()) => {
                // Delete it later as the kernel lists it: the add request
                // carries AUDIT_FILTER_PREPEND, which audit_del_rule does
                // not match (ENOENT).
                let listed = control
                    .list_rules()
                    .ok()
                    .and_then(|now| now.into_iter().find(|r| !before.contains(r)));
                done.exclusion = Some(listed.unwrap_or(rule));
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not add the rule excluding this daemon's own syscalls")
            }
        }
    }
    Ok(done)
}

/// Undoes what [`setup`] did that must not outlive the daemon.
pub fn teardown<T: Transport>(control: &mut AuditControl<T>, done: &Setup) {
    if let Some(rule) = &done.exclusion {
        if let Err(e) = control.delete_rule(rule) {
            tracing::warn!(error = %e, "could not delete the self-exclusion rule");
        }
    }
}

#[cfg(test)]
mod tests {
    use audit_client::testkit::SimKernel;

    use super::*;

    fn control(sim: SimKernel) -> AuditControl<SimKernel> {
        AuditControl::with_transport(sim)
    }

    fn config(rules: Option<&str>, extra: &str) -> (Config, Option<std::path::PathBuf>) {
        let path = rules.map(|text| {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!(
                "auditrs-kernel-setup-{}-{n}.rules",
                std::process::id()
            ));
            std::fs::write(&p, text).unwrap();
            p
        });
        let mut c = Config::parse(extra, "test").unwrap();
        c.rules = path.clone();
        (c, path)
    }

    const RULES: &str = "-b 4096\n-a always,exit -F arch=b64 -S execve -k exec\n";

    #[test]
    fn loads_rules_applies_settings_enables() {
        let (c, _) = config(Some(RULES), "backlog_limit = 8192\n");
        let mut k = control(SimKernel::new());
        k.transport_mut().rules.push(
            audit_daemon::rules::rule_bytes(
                SystemHost::default(),
                &["-a", "always,exit", "-F", "arch=b64", "-S", "openat"],
            )
            .unwrap(),
        );
        let done = setup(&mut k, &c, true, false).unwrap();
        let sim = k.transport();
        assert_eq!(
            sim.rules.len(),
            1,
            "old rule replaced by the one rule of the file"
        );
        assert_eq!(
            sim.status.backlog_limit, 8192,
            "config value applied after the file's -b"
        );
        assert_eq!(sim.status.enabled, 1, "enabled because it was off");
        assert!(done.exclusion.is_none(), "unicast adds no exclusion rule");
    }

    #[test]
    fn enable_false_leaves_auditing_off() {
        let (c, _) = config(Some(RULES), "enable = false\n");
        let mut k = control(SimKernel::new());
        setup(&mut k, &c, true, false).unwrap();
        assert_eq!(k.transport().status.enabled, 0);
    }

    #[test]
    fn locked_configuration_is_left_alone() {
        let (c, _) = config(Some(RULES), "backlog_limit = 8192\n");
        let mut sim = SimKernel::new();
        sim.status.enabled = 2;
        let kept = audit_daemon::rules::rule_bytes(
            SystemHost::default(),
            &["-w", "/etc/shadow", "-p", "wa"],
        )
        .unwrap();
        sim.rules.push(kept.clone());
        let mut k = control(sim);
        let done = setup(&mut k, &c, true, false).unwrap();
        let sim = k.transport();
        assert_eq!(sim.rules, vec![kept]);
        assert_eq!(sim.status.backlog_limit, 64);
        assert!(done.exclusion.is_none());
    }

    #[test]
    fn multicast_keeps_rules_and_excludes_itself_until_teardown() {
        let (mut c, _) = config(None, "multicast = true\n");
        c.rules = None;
        let mut sim = SimKernel::new();
        sim.status.enabled = 1;
        let theirs = audit_daemon::rules::rule_bytes(
            SystemHost::default(),
            &["-a", "always,exit", "-F", "arch=b64", "-S", "execve"],
        )
        .unwrap();
        sim.rules.push(theirs.clone());
        let mut k = control(sim);
        let done = setup(&mut k, &c, false, false).unwrap();
        assert!(done.exclusion.is_some());
        assert_eq!(k.transport().rules.len(), 2, "their rule kept, ours added");
        teardown(&mut k, &done);
        assert_eq!(k.transport().rules, vec![theirs], "exclusion removed");
    }

    #[test]
    fn bad_rules_change_nothing() {
        let (c, _) = config(Some("-a always,exit -S nosuchcall\n"), "");
        let mut k = control(SimKernel::new());
        let e = setup(&mut k, &c, true, false).unwrap_err();
        assert!(format!("{e:#}").contains("nosuchcall"), "{e:#}");
        assert!(k.transport().rules.is_empty());
        assert_eq!(k.transport().status.enabled, 0);
    }

    #[test]
    fn reload_with_unchanged_rules_touches_nothing() {
        let (c, _) = config(Some(RULES), "");
        let mut k = control(SimKernel::new());
        setup(&mut k, &c, true, false).unwrap();
        let before = k.transport().requests.len();
        setup(&mut k, &c, true, true).unwrap();
        let rule_changes = k.transport().requests[before..]
            .iter()
            .filter(|(t, _, _)| *t == 1011 || *t == 1012)
            .count();
        assert_eq!(
            rule_changes, 0,
            "no AUDIT_ADD_RULE/AUDIT_DEL_RULE on an unchanged reload"
        );
    }
}
