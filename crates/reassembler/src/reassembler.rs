//! Grouping records into events (see [`Reassembler`]).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use crate::event::{is_daemon_type, role, Completion, Event, EventKey, Role};
use crate::record::Record;
use crate::sequence::{Gap, SerialTracker};

/// Reassembly settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// How long an event without end marker waits, in milliseconds from its
    /// first record (default 2,000).
    pub timeout_ms: u64,
    /// Most events in flight; beyond it the oldest is emitted as
    /// [`Completion::Evicted`] (default 4,096).
    pub max_in_flight: usize,
    /// How many emitted events are remembered to recognise late records
    /// (default 16,384).
    pub late_memory: usize,
    /// Whether PROCTITLE closes its event (default `true`; see
    /// [`crate::event`]). Turn it off only for a source where records of an
    /// event may follow its PROCTITLE (no kernel up to 6.18 does that).
    pub proctitle_ends_event: bool,
    /// Most serial gaps kept open waiting for out-of-order records; beyond
    /// it the oldest is reported lost at once (default 1,024).
    pub max_open_gaps: usize,
    /// Most records in one event (default 65,536; the kernel's largest
    /// events, a 2 MiB argv split into EXECVE records, have a few hundred).
    /// An event reaching it is emitted as [`Completion::Evicted`] and its
    /// further records are late: bounded memory on corrupt input.
    pub max_records_per_event: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout_ms: 2_000,
            max_in_flight: 4_096,
            late_memory: 16_384,
            proctitle_ends_event: true,
            max_open_gaps: 1_024,
            max_records_per_event: 65_536,
        }
    }
}

/// What the reassembler emits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// A reassembled event.
    Event(Event),
    /// `count` serials after `after_serial` never arrived (events lost by the
    /// kernel, a full backlog or the reader). Serials wrap at 2^32. Reported
    /// once the gap can no longer be filled by an out-of-order record:
    /// after the timeout, when too many gaps are open, or at flush. DAEMON_*
    /// records (auditd's own serials) are not counted; a jump of more than
    /// 2^24 serials is a counter restart, not a loss.
    Lost {
        /// The `node=` of the stream, if any.
        node: Option<Vec<u8>>,
        /// Number of missing serials.
        count: u32,
        /// The serial just before the gap.
        after_serial: u32,
    },
    /// A record of an event already emitted.
    Late {
        /// The record.
        record: Record,
    },
}

/// Counters since creation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records pushed.
    pub records: u64,
    /// Events emitted (all completions).
    pub events: u64,
    /// Events closed by EOE, PROCTITLE or as single records.
    pub complete: u64,
    /// Events emitted after the timeout.
    pub timeouts: u64,
    /// Events evicted because too many were in flight.
    pub evicted: u64,
    /// Events emitted by `flush`.
    pub flushed: u64,
    /// Serials counted as lost (sum of `Lost::count`).
    pub lost: u64,
    /// Late records (not counting late EOEs).
    pub late: u64,
    /// Serial counter restarts seen.
    pub serial_resets: u64,
    /// Events in flight now.
    pub in_flight: usize,
}

/// FxHash-style hasher: the keys are a few integers, hashed per record.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Most distinct `node=` names tracked; later ones share one identity (their
/// events still group by timestamp and serial).
const MAX_NODES: usize = 65_536;

struct Pending {
    key: EventKey,
    first_seen: u64,
    records: Vec<Record>,
    live: bool,
}

/// Groups records into events.
///
/// Records are pushed one at a time with the current time in milliseconds
/// (wall clock when live, the records' own time when replaying a log; it is
/// made monotonic internally). Outputs are appended to any
/// `Extend<Output>` (a `Vec`, usually).
///
/// - Records with the same `(node, timestamp, serial)` form one event; they
///   may interleave with other events' records and arrive in any order.
/// - An event is emitted as soon as it is complete (see [`crate::event`] for
///   the end-of-event rules), regardless of older incomplete events: a slow
///   event never holds back complete ones.
/// - An incomplete event is emitted after [`Config::timeout_ms`] (from its
///   first record), when more than [`Config::max_in_flight`] events are in
///   flight (oldest first), or on [`Reassembler::flush`].
/// - A record for an event already emitted (remembered for the last
///   [`Config::late_memory`] events) is returned as [`Output::Late`] and
///   counted, never emitted as a second partial event. A late EOE (the usual
///   case after PROCTITLE closed the event) is dropped silently.
/// - Serial gaps are reported as [`Output::Lost`] once they can no longer be
///   filled (the rules are in its documentation).
pub struct Reassembler {
    config: Config,
    now: u64,
    /// In-flight events in arrival order; completed ones stay as dead slots
    /// until they reach the front or a compaction.
    slots: VecDeque<Pending>,
    /// Absolute index of `slots[0]`.
    base: u64,
    /// Live events by key, except the newest one (see `fresh`).
    index: FastMap<EventKey, u64>,
    /// Absolute slot index of the newest live event, which is not in
    /// `index` (`u64::MAX` if none): it enters the index only when another
    /// event starts while it is still live, so events that complete before
    /// the next one starts (the usual stream) cost no index insert and
    /// remove.
    fresh: u64,
    live: usize,
    /// Keys of emitted events with their emission number; an entry counts
    /// only while it is among the last [`Config::late_memory`] emitted.
    /// Stale entries are swept in bulk when the map reaches twice that size
    /// (no per-event removal of the oldest key: that lookup missed the cache
    /// on every event).
    emitted: FastMap<EventKey, u64>,
    /// Events emitted so far (the next emission number).
    emitted_count: u64,
    nodes: HashMap<Vec<u8>, u32>,
    node_names: Vec<Vec<u8>>,
    /// The id of the last node seen (most streams have one node).
    last_node: u32,
    /// Absolute slot index of the event the last record went to (or was
    /// created for): the records of an event nearly always arrive together,
    /// so a record whose key matches that slot's (still live) needs no
    /// index lookup. Only a hint: checked against the slot every time (a
    /// compaction may have moved another event there).
    last_slot: u64,
    serials: SerialTracker,
    gaps: Vec<Gap>,
    stats: Stats,
}

impl Reassembler {
    /// A reassembler with these settings.
    pub fn new(config: Config) -> Self {
        Reassembler {
            config,
            now: 0,
            slots: VecDeque::new(),
            base: 0,
            index: FastMap::default(),
            fresh: u64::MAX,
            live: 0,
            emitted: FastMap::default(),
            emitted_count: 0,
            nodes: HashMap::new(),
            node_names: Vec::new(),
            last_node: 0,
            last_slot: u64::MAX,
            serials: SerialTracker::default(),
            gaps: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Adds one record at time `now_ms`; appends what it completes (and what
    /// timed out meanwhile) to `out`.
    pub fn push<O: Extend<Output>>(&mut self, record: Record, now_ms: u64, out: &mut O) {
        self.now = self.now.max(now_ms);
        self.stats.records += 1;
        self.expire(out);
        let msg_type = record.msg_type();
        let node = self.node_id(record.node());
        let key = EventKey {
            node,
            serial: record.serial(),
            timestamp: record.timestamp(),
        };
        if !is_daemon_type(msg_type) {
            let deadline = self.now.saturating_add(self.config.timeout_ms);
            self.serials.observe(
                node,
                key.serial,
                deadline,
                self.config.max_open_gaps,
                &mut self.gaps,
            );
            self.report_gaps(out);
        }
        let role = role(msg_type, self.config.proctitle_ends_event);
        if let Some(pos) = self.in_flight_pos(&key) {
            match role {
                Role::End => self.complete(pos, Completion::Eoe, out),
                Role::Last => {
                    self.slots[pos].records.push(record);
                    self.complete(pos, Completion::Proctitle, out);
                }
                Role::Single | Role::Part => {
                    let records = &mut self.slots[pos].records;
                    records.push(record);
                    if records.len() >= self.config.max_records_per_event {
                        self.complete(pos, Completion::Evicted, out);
                    }
                }
            }
            return;
        }
        if role == Role::End {
            // An EOE for an event not in flight: already closed (by its
            // PROCTITLE, usually) or all its records were filtered; either
            // way nothing to do, no need to look it up among the emitted.
            return;
        }
        if self.was_emitted(&key) {
            self.stats.late += 1;
            out.extend(Some(Output::Late { record }));
            return;
        }
        match role {
            // Answered above.
            Role::End => {}
            Role::Single => self.emit(key, vec![record], Completion::Single, out),
            Role::Last => self.emit(key, vec![record], Completion::Proctitle, out),
            Role::Part => {
                let mut records = Vec::with_capacity(8);
                records.push(record);
                let abs = self.base + self.slots.len() as u64;
                if let Some(p) = self.slot(self.fresh).filter(|p| p.live) {
                    self.index.insert(p.key, self.fresh);
                }
                self.fresh = abs;
                self.last_slot = abs;
                self.slots.push_back(Pending {
                    key,
                    first_seen: self.now,
                    records,
                    live: true,
                });
                self.live += 1;
                while self.live > self.config.max_in_flight {
                    if !self.pop_front_live(Completion::Evicted, out) {
                        break;
                    }
                }
            }
        }
    }

    /// Advances time to `now_ms`: emits events and gaps that timed out.
    pub fn tick<O: Extend<Output>>(&mut self, now_ms: u64, out: &mut O) {
        self.now = self.now.max(now_ms);
        self.expire(out);
    }

    /// Emits every event in flight ([`Completion::Flushed`], oldest first)
    /// and reports every open gap: end of input or shutdown.
    pub fn flush<O: Extend<Output>>(&mut self, out: &mut O) {
        while self.pop_front_live(Completion::Flushed, out) {}
        self.serials.drain(&mut self.gaps);
        self.report_gaps(out);
    }

    /// The earliest time at which [`tick`](Self::tick) has something to do
    /// (a timeout), if any: for a live loop's timer.
    pub fn next_deadline(&self) -> Option<u64> {
        let event = self
            .slots
            .iter()
            .find(|p| p.live)
            .map(|p| p.first_seen.saturating_add(self.config.timeout_ms));
        match (event, self.serials.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Events in flight.
    pub fn in_flight(&self) -> usize {
        self.live
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        Stats {
            in_flight: self.live,
            serial_resets: self.serials.resets,
            ..self.stats
        }
    }

    /// Where the live event `key` is in `slots`, if it is in flight: the
    /// slot of the last record first, then the newest event (not indexed),
    /// then the index.
    #[inline]
    fn in_flight_pos(&mut self, key: &EventKey) -> Option<usize> {
        for abs in [self.last_slot, self.fresh] {
            if self.slot(abs).is_some_and(|p| p.live && p.key == *key) {
                self.last_slot = abs;
                return Some((abs - self.base) as usize);
            }
        }
        let abs = *self.index.get(key)?;
        self.last_slot = abs;
        Some((abs - self.base) as usize)
    }

    /// The slot at absolute index `abs`, if it is still held.
    #[inline]
    fn slot(&self, abs: u64) -> Option<&Pending> {
        let i = usize::try_from(abs.checked_sub(self.base)?).ok()?;
        self.slots.get(i)
    }

    /// Forgets the live event `key` at absolute index `abs` (it is leaving).
    #[inline]
    fn unindex(&mut self, key: &EventKey, abs: u64) {
        if abs == self.fresh {
            self.fresh = u64::MAX;
        } else {
            self.index.remove(key);
        }
    }

    #[inline]
    fn node_id(&mut self, node: Option<&[u8]>) -> u32 {
        match node {
            None => 0,
            Some(name) => self.named_node_id(name),
        }
    }

    fn named_node_id(&mut self, name: &[u8]) -> u32 {
        if self.node_name_ref(self.last_node) == Some(name) {
            return self.last_node;
        }
        let id = match self.nodes.get(name) {
            Some(&id) => id,
            None if self.node_names.len() < MAX_NODES => {
                self.node_names.push(name.to_vec());
                let id = self.node_names.len() as u32;
                self.nodes.insert(name.to_vec(), id);
                id
            }
            None => MAX_NODES as u32 + 1,
        };
        self.last_node = id;
        id
    }

    fn node_name_ref(&self, id: u32) -> Option<&[u8]> {
        let i = (id as usize).checked_sub(1)?;
        self.node_names.get(i).map(Vec::as_slice)
    }

    fn node_name(&self, id: u32) -> Option<Vec<u8>> {
        self.node_name_ref(id).map(<[u8]>::to_vec)
    }

    /// Emits what timed out by `self.now`: checked inline (nearly always
    /// nothing: a live front event within its timeout, no gap due).
    #[inline]
    fn expire<O: Extend<Output>>(&mut self, out: &mut O) {
        let front_due = self.slots.front().is_some_and(|p| {
            !p.live || p.first_seen.saturating_add(self.config.timeout_ms) <= self.now
        });
        let gap_due = self.serials.next_deadline().is_some_and(|d| d <= self.now);
        if front_due || gap_due {
            self.expire_some(out);
        }
    }

    #[inline(never)]
    fn expire_some<O: Extend<Output>>(&mut self, out: &mut O) {
        loop {
            self.drop_dead_front();
            match self.slots.front() {
                Some(p) if p.first_seen.saturating_add(self.config.timeout_ms) <= self.now => {
                    self.pop_front_live(Completion::Timeout, out);
                }
                _ => break,
            }
        }
        if self.serials.has_gaps() {
            self.serials.expire(self.now, &mut self.gaps);
            self.report_gaps(out);
        }
    }

    fn drop_dead_front(&mut self) {
        while self.slots.front().is_some_and(|p| !p.live) {
            self.slots.pop_front();
            self.base += 1;
        }
    }

    /// Emits the oldest live event; `false` if there is none.
    fn pop_front_live<O: Extend<Output>>(&mut self, completion: Completion, out: &mut O) -> bool {
        self.drop_dead_front();
        let Some(p) = self.slots.pop_front() else {
            return false;
        };
        self.unindex(&p.key, self.base);
        self.base += 1;
        self.live -= 1;
        self.emit(p.key, p.records, completion, out);
        true
    }

    /// Closes the live event at `pos` (not necessarily the front).
    fn complete<O: Extend<Output>>(&mut self, pos: usize, completion: Completion, out: &mut O) {
        let p = &mut self.slots[pos];
        p.live = false;
        let key = p.key;
        let records = std::mem::take(&mut p.records);
        self.unindex(&key, self.base + pos as u64);
        self.live -= 1;
        self.emit(key, records, completion, out);
        self.drop_dead_front();
        if self.slots.len() > 2 * self.live + 64 {
            self.compact();
        }
    }

    /// Drops dead slots behind a slow live one and renumbers the index.
    fn compact(&mut self) {
        self.slots.retain(|p| p.live);
        for (i, p) in self.slots.iter().enumerate() {
            self.index.insert(p.key, self.base + i as u64);
        }
        // Every live event is in the index now.
        self.fresh = u64::MAX;
    }

    fn emit<O: Extend<Output>>(
        &mut self,
        key: EventKey,
        records: Vec<Record>,
        completion: Completion,
        out: &mut O,
    ) {
        let Some(event) = Event::new(records, completion) else {
            return;
        };
        self.stats.events += 1;
        match completion {
            Completion::Eoe | Completion::Proctitle | Completion::Single => {
                self.stats.complete += 1
            }
            Completion::Timeout => self.stats.timeouts += 1,
            Completion::Evicted => self.stats.evicted += 1,
            Completion::Flushed => self.stats.flushed += 1,
        }
        if self.config.late_memory > 0 {
            let memory = self.config.late_memory as u64;
            if self.emitted.len() as u64 >= memory.saturating_mul(2) {
                let count = self.emitted_count;
                self.emitted.retain(|_, n| count - *n < memory);
            }
            self.emitted.insert(key, self.emitted_count);
            self.emitted_count += 1;
        }
        out.extend(Some(Output::Event(event)));
    }

    /// Whether `key` is one of the last [`Config::late_memory`] events emitted.
    fn was_emitted(&self, key: &EventKey) -> bool {
        self.emitted
            .get(key)
            .is_some_and(|&n| self.emitted_count - n <= self.config.late_memory as u64)
    }

    /// Reports the gaps in `self.gaps` (nearly always none: checked inline).
    #[inline]
    fn report_gaps<O: Extend<Output>>(&mut self, out: &mut O) {
        if !self.gaps.is_empty() {
            self.report_some_gaps(out);
        }
    }

    #[inline(never)]
    fn report_some_gaps<O: Extend<Output>>(&mut self, out: &mut O) {
        let gaps = std::mem::take(&mut self.gaps);
        for g in &gaps {
            self.stats.lost += u64::from(g.count);
            out.extend(Some(Output::Lost {
                node: self.node_name(g.node),
                count: g.count,
                after_serial: g.after_serial(),
            }));
        }
        self.gaps = gaps;
        self.gaps.clear();
    }
}

impl Default for Reassembler {
    fn default() -> Self {
        Reassembler::new(Config::default())
    }
}

#[cfg(test)]
#[path = "reassembler_tests.rs"]
mod tests;
