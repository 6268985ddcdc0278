//! The daemon's life: outputs, registration, kernel setup, the reader loop
//! with signals, and an orderly shutdown.
//!
//! Threads: the main thread runs a current-thread tokio runtime with the
//! event socket and the signal streams (the reader); a writer thread owns
//! the pipeline. Between them, a bounded queue of record batches: the
//! reader never waits on output; when the queue is full the batch is
//! dropped, counted, and reported in the stream.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use audit_client::{AuditControl, EventBatch, EventConfig, EventMode, EventSocket};
use audit_daemon::{Config, Pipeline};
use audit_ecs::SystemNames;
use tokio::signal::unix::{signal, SignalKind};

use super::kernel;
use super::writer::{Request, Writer};

fn host_name(config: &Config) -> Option<String> {
    config.host_name.clone().or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

/// Runs the daemon until SIGTERM/SIGINT; returns the exit status.
pub fn run(config: Config, explicit_rules: bool) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    rt.block_on(run_async(config, explicit_rules))
}

async fn run_async(config: Config, explicit_rules: bool) -> anyhow::Result<i32> {
    let start = Instant::now();
    // Outputs first: a bad path fails before the kernel is touched.
    let mut pipeline = Pipeline::new(&config, SystemNames::load(), host_name(&config))?;
    let sessions = super::sessions::install(&config, &mut pipeline);
    // Handlers before registration: a signal during setup is taken at the
    // first turn of the loop (an orderly stop), not a kill with the pid held.
    let mut sigterm = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut sigint = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut sighup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    let mut sigusr1 = signal(SignalKind::user_defined1()).context("SIGUSR1 handler")?;
    let mut control = AuditControl::open().context("opening the audit control socket")?;
    let status = kernel::status(&mut control)?;
    let mode = if config.multicast {
        EventMode::Multicast
    } else {
        EventMode::Unicast
    };
    let ev_config = EventConfig {
        mode,
        receive_buffer: config.receive_buffer,
        max_batch_records: config.batch_records,
        max_batch_bytes: 256 << 10,
        ..Default::default()
    };
    let mut socket = match EventSocket::open(&ev_config) {
        Ok(s) => s,
        Err(e @ audit_client::Error::AnotherDaemon { .. }) => {
            anyhow::bail!("{e}: stop it first, or run `auditrs run --multicast` to read beside it");
        }
        Err(e) => return Err(e).context("opening the audit event socket"),
    };
    let rb = socket.receive_buffer();
    tracing::info!(
        pid = std::process::id(),
        mode = ?mode,
        receive_buffer = ?rb,
        enabled = status.enabled,
        kernel_lost = status.lost,
        "auditrs {} started",
        env!("CARGO_PKG_VERSION")
    );
    let mut setup = match kernel::setup(&mut control, &config, explicit_rules, false) {
        Ok(s) => s,
        Err(e) => {
            // Nothing was changed (all-or-nothing load): give the pid back.
            let _ = socket.unregister();
            return Err(e);
        }
    };

    tracing::info!(
        exclusion_rule = setup.exclusion.is_some(),
        "set up; reading events"
    );
    let (data_tx, data_rx) = mpsc::sync_channel::<EventBatch>(config.queue_depth);
    let (free_tx, free_rx) = mpsc::channel::<EventBatch>();
    let (req_tx, req_rx) = mpsc::channel::<Request>();
    let dropped = Arc::new(AtomicU64::new(0));
    let writer = Writer {
        pipeline,
        data: data_rx,
        free: free_tx,
        requests: req_rx,
        dropped: Arc::clone(&dropped),
        status_interval: Duration::from_millis(config.status_interval_ms),
        start,
        sessions,
    };
    let writer = std::thread::Builder::new()
        .name("auditrs-writer".into())
        .spawn(move || writer.run())
        .context("starting the writer thread")?;

    let new_batch = || EventBatch::with_capacity(64 << 10, 256);
    let mut batch = new_batch();
    let mut fatal: Option<anyhow::Error> = None;
    let mut partial = false;
    let coalesce = Duration::from_millis(config.read_coalesce_ms);
    loop {
        if std::mem::take(&mut partial) && !coalesce.is_zero() {
            // The socket was drained: let records gather in its buffer for
            // a moment, so each wakeup (here and in the writer) carries
            // many. A full batch is followed at once.
            //
            // A blocking sleep on purpose: this thread is the runtime's
            // only one and nothing else runs on it. A tokio sleep would
            // park in epoll_wait, and the event socket (edge-triggered)
            // would wake the thread for every record the kernel queues
            // meanwhile: one context switch per record, the coalescing
            // undone. Signals wait at most `coalesce` (<= 1 s) here.
            std::thread::sleep(coalesce);
        }
        tokio::select! {
            biased;
            _ = sigterm.recv() => { tracing::info!("SIGTERM: stopping"); break; }
            _ = sigint.recv() => { tracing::info!("SIGINT: stopping"); break; }
            _ = sighup.recv() => {
                tracing::info!("SIGHUP: reloading rules and reopening outputs");
                kernel::teardown(&mut control, &setup);
                match kernel::setup(&mut control, &config, explicit_rules, true) {
                    Ok(s) => setup = s,
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "rule reload failed; the kernel keeps the previous rules"),
                }
                let _ = req_tx.send(Request::Reopen);
            }
            _ = sigusr1.recv() => { let _ = req_tx.send(Request::Rotate); }
            r = socket.recv_batch(&mut batch) => {
                if let Err(e) = r {
                    fatal = Some(anyhow::Error::new(e).context("receiving audit events"));
                    break;
                }
                let records = batch.record_count() as u64;
                partial = batch.record_count() < config.batch_records;
                match data_tx.try_send(batch) {
                    Ok(()) => batch = free_rx.try_recv().unwrap_or_else(|_| new_batch()),
                    Err(TrySendError::Full(b)) => {
                        dropped.fetch_add(records, Ordering::Relaxed);
                        batch = b;
                    }
                    Err(TrySendError::Disconnected(_)) => {
                        fatal = Some(anyhow::anyhow!("the writer thread stopped"));
                        break;
                    }
                }
            }
        }
    }

    // Shutdown: stop the kernel sending, take what the socket still holds,
    // let the writer finish (in-flight events written, marked incomplete).
    if let Err(e) = socket.unregister() {
        tracing::warn!(error = %e, "unregistering failed");
    }
    loop {
        let mut b = free_rx.try_recv().unwrap_or_else(|_| new_batch());
        match socket.try_recv_batch(&mut b) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if data_tx.send(b).is_err() {
                    break;
                }
            }
        }
    }
    drop(data_tx);
    kernel::teardown(&mut control, &setup);
    let counters = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    let sc = socket.counters().snapshot();
    tracing::info!(
        target: "auditrs::stats",
        socket_records = sc.records,
        socket_reads = sc.reads,
        socket_enobufs = sc.enobufs,
        "stopped: {counters}"
    );
    if let Some(e) = fatal {
        return Err(e);
    }
    Ok(0)
}
