//! The writer thread: takes record batches from the bounded queue, runs
//! them through the [`Pipeline`], polls the kernel's status, handles
//! reopen/rotate requests, and finishes when the queue is closed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_client::{AuditControl, EventBatch, EventItem};
use audit_daemon::{Counters, Pipeline};
use audit_ecs::SystemNames;

/// Requests from the signal handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// SIGHUP: reopen the outputs.
    Reopen,
    /// SIGUSR1: rotate the outputs now.
    Rotate,
}

/// How often timeouts and flushes are checked when no batch arrives.
const TICK: Duration = Duration::from_millis(20);
/// How often /etc/passwd and /etc/group are checked for changes (names).
const NAMES_REFRESH_MS: u64 = 10_000;

/// The writer's channels and settings.
pub struct Writer {
    /// The pipeline (outputs already open).
    pub pipeline: Pipeline<SystemNames>,
    /// Batches from the reader.
    pub data: Receiver<EventBatch>,
    /// Emptied batches back to the reader.
    pub free: Sender<EventBatch>,
    /// Reopen/rotate requests.
    pub requests: Receiver<Request>,
    /// Records the reader dropped because the queue was full.
    pub dropped: Arc<AtomicU64>,
    /// Kernel status poll interval.
    pub status_interval: Duration,
    /// Time origin for the pipeline's clock.
    pub start: Instant,
    /// The session table (idle maintenance, stats), when enabled.
    pub sessions: Option<super::sessions::Sessions>,
}

impl Writer {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn poll_status(&mut self, control: &mut Option<AuditControl>) {
        if control.is_none() {
            match AuditControl::open() {
                Ok(c) => *control = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot open a control socket to poll the kernel status");
                    return;
                }
            }
        }
        if let Some(c) = control.as_mut() {
            match c.get_status() {
                Ok(s) => self
                    .pipeline
                    .kernel_status(s.lost, s.backlog, s.backlog_limit),
                Err(e) => {
                    tracing::warn!(error = %e, "polling the kernel status failed");
                    *control = None;
                }
            }
        }
    }

    /// Runs until the data channel closes; returns the final counters.
    pub fn run(mut self) -> Counters {
        let mut control = None;
        self.poll_status(&mut control);
        let mut next_status = self.status_interval;
        let mut last_tick = 0;
        let mut last_names = 0;
        loop {
            let closed = match self.data.recv_timeout(TICK) {
                Ok(batch) => {
                    let now = self.now_ms();
                    for item in batch.items() {
                        match item {
                            EventItem::Record(r) => {
                                self.pipeline.push_record(r.msg_type, r.payload, now)
                            }
                            EventItem::Overrun => self.pipeline.overrun(),
                        }
                    }
                    // The reader may be gone at shutdown: nothing to return to.
                    let _ = self.free.send(batch);
                    false
                }
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => true,
            };
            let dropped = self.dropped.swap(0, Ordering::Relaxed);
            if dropped > 0 {
                self.pipeline.queue_dropped(dropped);
            }
            let now = self.now_ms();
            while let Ok(r) = self.requests.try_recv() {
                match r {
                    Request::Reopen => {
                        tracing::info!("reopening outputs");
                        self.pipeline.reopen(now);
                    }
                    Request::Rotate => {
                        tracing::info!("rotating outputs");
                        self.pipeline.rotate(now);
                    }
                }
            }
            if Duration::from_millis(now) >= next_status {
                next_status = Duration::from_millis(now) + self.status_interval;
                self.poll_status(&mut control);
            }
            if closed {
                break;
            }
            if now.saturating_sub(last_tick) >= TICK.as_millis() as u64 {
                last_tick = now;
                self.pipeline.tick(now);
                if now.saturating_sub(last_names) >= NAMES_REFRESH_MS {
                    last_names = now;
                    if self.pipeline.names_mut().refresh() {
                        tracing::info!("user/group names reloaded");
                    }
                }
                if let Some(s) = self.sessions.as_mut() {
                    s.tick(now);
                }
            }
        }
        // Last look at the kernel's lost counter, then everything out.
        self.poll_status(&mut control);
        let now = self.now_ms();
        let counters = self.pipeline.finish(now);
        if let Some(s) = &self.sessions {
            s.log_stats();
        }
        counters
    }
}
