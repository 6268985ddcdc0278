//! The session table of the daemon: seeded from /proc at start, installed
//! as the pipeline's process context, maintained when idle, its counters
//! logged with the stats.

use audit_daemon::{Config, Pipeline};
use audit_ecs::SystemNames;
use audit_enrich::{wall_now, SessionContext};
use sessiondb::ProcFs;

/// How often the writer frees what the table no longer needs when idle.
const MAINTAIN_EVERY_MS: u64 = 1_000;

/// The writer's handle on the table.
pub struct Sessions {
    ctx: SessionContext<ProcFs>,
    last_maintain_ms: u64,
    stats_every_ms: u64,
    last_stats_ms: u64,
}

/// Seeds the table and installs it in `pipeline`, unless `sessions =
/// false`. A failure (no /proc) is logged and the daemon runs without it:
/// enrichment never stops auditing.
pub fn install(config: &Config, pipeline: &mut Pipeline<SystemNames>) -> Option<Sessions> {
    if !config.sessions {
        tracing::info!("session context disabled");
        return None;
    }
    match SessionContext::from_proc(sessiondb::Config::default()) {
        Ok(ctx) => {
            pipeline.set_process_context(Box::new(ctx.clone()));
            Some(Sessions {
                ctx,
                last_maintain_ms: 0,
                stats_every_ms: config.stats_interval_s.saturating_mul(1000),
                last_stats_ms: 0,
            })
        }
        Err(e) => {
            tracing::error!(error = %e, "session table unavailable; events go out without session context");
            None
        }
    }
}

impl Sessions {
    /// Called on every writer tick (`now_ms`: the pipeline's clock).
    pub fn tick(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.last_maintain_ms) >= MAINTAIN_EVERY_MS {
            self.last_maintain_ms = now_ms;
            self.ctx.maintain(wall_now());
        }
        if self.stats_every_ms > 0
            && now_ms.saturating_sub(self.last_stats_ms) >= self.stats_every_ms
        {
            self.last_stats_ms = now_ms;
            self.log_stats();
        }
    }

    /// Logs the table's counters (target `auditrs::stats`).
    pub fn log_stats(&self) {
        let s = self.ctx.stats();
        let (events, described) = self.ctx.event_counts();
        tracing::info!(
            target: "auditrs::stats",
            entries = s.entries,
            dead = s.dead,
            approx_bytes = s.approx_bytes,
            inserted = s.inserted,
            freed = s.freed,
            evicted_dead = s.evicted_dead,
            evicted_gone = s.evicted_gone,
            evicted_live = s.evicted_live,
            proc_lookups = s.proc_lookups,
            proc_lookup_failures = s.proc_lookup_failures,
            missed_exits = s.missed_exits,
            ended_unseen = s.ended_unseen,
            threads_ignored = s.threads_ignored,
            tentative_dropped = s.tentative_dropped,
            logins = s.logins,
            events,
            described,
            "sessions"
        );
    }
}
