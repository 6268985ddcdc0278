//! Serial gap tracking: serials the kernel assigned but that never arrived
//! are counted as lost events, as go-libaudit's reassembler does.
//!
//! Per node, the highest serial seen so far is kept (comparisons wrap at
//! 2^32). A jump forward by more than one opens a gap; a record that arrives
//! later inside a gap (out of order) fills that serial. A gap still open when
//! its deadline (detection time + timeout) passes, when too many gaps are
//! open, or at flush, is reported as lost. A jump of more than
//! [`DISCONTINUITY`] serials either way is taken as a restart of the serial
//! counter (reboot, rotated logs from another boot), not as a loss.

use std::collections::VecDeque;

/// Serial distance beyond which a jump is a counter restart, not a loss.
pub(crate) const DISCONTINUITY: u32 = 1 << 24;

/// Missing serials `start .. start + count` (wrapping) of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Gap {
    pub node: u32,
    pub start: u32,
    pub count: u32,
    pub deadline: u64,
}

impl Gap {
    /// The serial before the gap (the last one received).
    pub fn after_serial(&self) -> u32 {
        self.start.wrapping_sub(1)
    }
}

/// Highest serial seen per node, and the open gaps (oldest first).
#[derive(Debug, Default)]
pub(crate) struct SerialTracker {
    /// Indexed by node id.
    highest: Vec<Option<u32>>,
    gaps: VecDeque<Gap>,
    pub resets: u64,
}

impl SerialTracker {
    /// Notes `serial` for `node` at `now`; a gap this opens expires at
    /// `deadline`. Gaps pushed out because more than `max_gaps` are open are
    /// appended to `expired`.
    #[inline]
    pub fn observe(
        &mut self,
        node: u32,
        serial: u32,
        deadline: u64,
        max_gaps: usize,
        expired: &mut Vec<Gap>,
    ) {
        // The usual cases: the same serial as the last record, or the next.
        if let Some(Some(last)) = self.highest.get_mut(node as usize) {
            match serial.wrapping_sub(*last) {
                0 => return,
                1 => {
                    *last = serial;
                    return;
                }
                _ => {}
            }
        }
        self.observe_other(node, serial, deadline, max_gaps, expired);
    }

    #[inline(never)]
    fn observe_other(
        &mut self,
        node: u32,
        serial: u32,
        deadline: u64,
        max_gaps: usize,
        expired: &mut Vec<Gap>,
    ) {
        let idx = node as usize;
        if self.highest.len() <= idx {
            self.highest.resize(idx + 1, None);
        }
        let Some(last) = self.highest[idx] else {
            self.highest[idx] = Some(serial);
            return;
        };
        let ahead = serial.wrapping_sub(last);
        if ahead == 0 {
            return;
        }
        if ahead <= DISCONTINUITY {
            if ahead > 1 {
                self.gaps.push_back(Gap {
                    node,
                    start: last.wrapping_add(1),
                    count: ahead - 1,
                    deadline,
                });
                while self.gaps.len() > max_gaps {
                    if let Some(g) = self.gaps.pop_front() {
                        expired.push(g);
                    }
                }
            }
            self.highest[idx] = Some(serial);
            return;
        }
        let behind = last.wrapping_sub(serial);
        if behind > DISCONTINUITY {
            // Counter restart: forget this node's gaps, they cannot be filled.
            self.resets += 1;
            self.highest[idx] = Some(serial);
            self.gaps.retain(|g| g.node != node);
            return;
        }
        self.fill(node, serial);
    }

    /// A late serial arrived: remove it from the gap holding it, if any.
    fn fill(&mut self, node: u32, serial: u32) {
        let Some(i) = self
            .gaps
            .iter()
            .position(|g| g.node == node && serial.wrapping_sub(g.start) < g.count)
        else {
            return;
        };
        let g = self.gaps[i];
        let before = serial.wrapping_sub(g.start);
        let after = g.count - before - 1;
        match (before, after) {
            (0, 0) => {
                self.gaps.remove(i);
            }
            (0, _) => {
                self.gaps[i].start = serial.wrapping_add(1);
                self.gaps[i].count = after;
            }
            (_, 0) => self.gaps[i].count = before,
            _ => {
                self.gaps[i].count = before;
                self.gaps.insert(
                    i + 1,
                    Gap {
                        node,
                        start: serial.wrapping_add(1),
                        count: after,
                        deadline: g.deadline,
                    },
                );
            }
        }
    }

    /// Moves the gaps whose deadline is `<= now` to `expired`.
    pub fn expire(&mut self, now: u64, expired: &mut Vec<Gap>) {
        while self.gaps.front().is_some_and(|g| g.deadline <= now) {
            if let Some(g) = self.gaps.pop_front() {
                expired.push(g);
            }
        }
    }

    /// Moves every open gap to `expired`.
    pub fn drain(&mut self, expired: &mut Vec<Gap>) {
        expired.extend(self.gaps.drain(..));
    }

    /// Earliest gap deadline.
    pub fn next_deadline(&self) -> Option<u64> {
        self.gaps.front().map(|g| g.deadline)
    }

    pub fn has_gaps(&self) -> bool {
        !self.gaps.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(serials: &[u32]) -> (Vec<(u32, u32)>, SerialTracker) {
        let mut t = SerialTracker::default();
        let mut out = Vec::new();
        for &s in serials {
            t.observe(0, s, 10, 100, &mut out);
        }
        t.drain(&mut out);
        (out.iter().map(|g| (g.after_serial(), g.count)).collect(), t)
    }

    #[test]
    fn gaps_and_fills() {
        assert_eq!(run(&[49, 59, 60, 61, 62]).0, vec![(49, 9)]);
        assert_eq!(run(&[58, 59, 61, 60, 62]).0, vec![]);
        assert_eq!(run(&[1, 5, 3]).0, vec![(1, 1), (3, 1)]);
        assert_eq!(run(&[1, 5, 2]).0, vec![(2, 2)]);
        assert_eq!(run(&[1, 5, 4]).0, vec![(1, 2)]);
        assert_eq!(run(&[1, 5, 2, 3, 4]).0, vec![]);
        assert_eq!(run(&[1, 1, 1, 2]).0, vec![]);
    }

    #[test]
    fn wraps_at_u32() {
        assert_eq!(run(&[u32::MAX - 1, u32::MAX, 0, 1, 2]).0, vec![]);
        assert_eq!(run(&[u32::MAX - 1, 1]).0, vec![(u32::MAX - 1, 2)]);
    }

    #[test]
    fn restart_is_not_a_loss() {
        let (gaps, t) = run(&[4_000_000_000, 5, 6, 8]);
        assert_eq!(gaps, vec![(6, 1)]);
        assert_eq!(t.resets, 1);
    }

    #[test]
    fn deadlines_and_bound() {
        let mut t = SerialTracker::default();
        let mut out = Vec::new();
        t.observe(0, 1, 100, 2, &mut out);
        t.observe(0, 3, 100, 2, &mut out);
        t.observe(1, 1, 200, 2, &mut out);
        t.observe(1, 3, 200, 2, &mut out);
        assert_eq!(t.next_deadline(), Some(100));
        t.expire(99, &mut out);
        assert!(out.is_empty());
        t.expire(100, &mut out);
        assert_eq!(out.len(), 1);
        t.observe(0, 5, 300, 1, &mut out);
        // Two open gaps with a bound of one: the older one goes.
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].node, 1);
        assert!(t.has_gaps());
    }
}
