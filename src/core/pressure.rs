//! Backpressure: a fair gate with high/low water marks.
//!
//! The caller measures the bytes in flight (the browser's `bufferedAmount`
//! plus queued bytes) and passes that level in; the gate decides who may
//! send, with hysteresis so it does not flap around a single threshold.
//!
//! How much this bounds memory depends on the engine's `bufferedAmount`: see
//! `Socket::buffered_amount` (Chromium and Firefox report bytes not yet on the network;
//! WebKit may report 0 while its network process still holds them).

use alloc::collections::VecDeque;
use alloc::{string::String, vec::Vec};

/// Thresholds of the [`Gate`], in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaterMarks {
    /// The gate closes when the level rises above this. Default: 1 MiB
    /// (1 048 576).
    pub high: usize,
    /// A closed gate opens again once the level is at or below this.
    /// Default: 256 KiB (262 144).
    pub low: usize,
}

impl Default for WaterMarks {
    /// `high` 1 MiB, `low` 256 KiB.
    fn default() -> Self {
        WaterMarks {
            high: 1_048_576,
            low: 262_144,
        }
    }
}

impl WaterMarks {
    /// Water marks with the given `high` and `low` thresholds (not
    /// validated; see [`validate`](Self::validate)).
    pub fn new(high: usize, low: usize) -> Self {
        WaterMarks { high, low }
    }

    /// Errors (the message names the field) when `high` is 0 or `low`
    /// exceeds `high`.
    pub fn validate(&self) -> Result<(), String> {
        self.check().map_err(|i| i.reason(&[]))
    }

    /// [`validate`](Self::validate), answering with codes (see [`rules`](super::rules)).
    ///
    /// # Errors
    /// The first field that breaks a rule.
    pub fn check(&self) -> Result<(), super::rules::Invalid> {
        use super::rules::{invalid, positive, Field, Rule};
        positive(Field::High, self.high as u64)?;
        if self.low > self.high {
            let rule = Rule::Exceeds(self.low as u64, self.high as u64);
            return Err(invalid(Field::Low, rule));
        }
        Ok(())
    }
}

/// A ticket that a waiting sender holds in the FIFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket(u64);

impl Ticket {
    /// The ticket's number, for a driver that keeps its waiting sends outside Rust.
    pub fn number(self) -> u64 {
        self.0
    }

    /// The ticket with this [`number`](Self::number).
    pub fn from_number(n: u64) -> Self {
        Ticket(n)
    }
}

/// Fair hysteresis gate.
///
/// `level` is the caller's measure of bytes in flight (browser
/// `bufferedAmount` + queued bytes). The gate closes when `level > high`;
/// once closed it opens again only when `level <= low`. The gate starts
/// open.
///
/// Admission happens only while open, i.e. at a level `<= high` (or, after
/// closing, `<= low`), so after admitting one message the level may exceed
/// `high` by at most that message; the caller then observes the new level
/// and the gate closes.
///
/// Waiters are admitted strictly FIFO, and a non-waiting
/// [`try_acquire`](Self::try_acquire) never overtakes a waiter.
#[derive(Debug)]
pub struct Gate {
    marks: WaterMarks,
    closed: bool,
    waiters: VecDeque<Ticket>,
    next: u64,
}

impl Gate {
    /// An open gate with no waiters.
    pub fn new(marks: WaterMarks) -> Self {
        Gate {
            marks,
            closed: false,
            waiters: VecDeque::new(),
            next: 0,
        }
    }

    /// The thresholds this gate was built with.
    pub fn marks(&self) -> WaterMarks {
        self.marks
    }

    /// Re-evaluate the hysteresis for this level; returns `true` when open.
    pub fn observe(&mut self, level: usize) -> bool {
        if self.closed {
            if level <= self.marks.low {
                self.closed = false;
            }
        } else if level > self.marks.high {
            self.closed = true;
        }
        !self.closed
    }

    /// Non-blocking admission: `true` if there are no waiters and the gate
    /// is open at this level. The level is observed either way.
    pub fn try_acquire(&mut self, level: usize) -> bool {
        let open = self.observe(level);
        open && self.waiters.is_empty()
    }

    /// Join the FIFO; poll the returned ticket until admitted.
    pub fn enqueue(&mut self) -> Ticket {
        let t = Ticket(self.next);
        self.next = self.next.wrapping_add(1);
        self.waiters.push_back(t);
        t
    }

    /// `true` (and the ticket leaves the FIFO) when the ticket is at the
    /// head and the gate is open at this level. The level is observed
    /// either way.
    pub fn poll(&mut self, ticket: Ticket, level: usize) -> bool {
        let open = self.observe(level);
        if open && self.waiters.front() == Some(&ticket) {
            self.waiters.pop_front();
            true
        } else {
            false
        }
    }

    /// Leave the FIFO (a cancelled send). Unknown tickets are ignored.
    pub fn cancel(&mut self, ticket: Ticket) {
        if let Some(i) = self.waiters.iter().position(|t| *t == ticket) {
            self.waiters.remove(i);
        }
    }

    /// `true` when someone is waiting.
    pub fn has_waiters(&self) -> bool {
        !self.waiters.is_empty()
    }

    /// Number of waiting tickets.
    pub fn waiting(&self) -> usize {
        self.waiters.len()
    }

    /// `true` when the last observed level closed the gate.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Release every waiter (socket closed for good): returns the tickets in
    /// FIFO order and leaves the FIFO empty. The open/closed state is kept.
    pub fn release_all(&mut self) -> Vec<Ticket> {
        self.waiters.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Gate {
        Gate::new(WaterMarks::new(100, 20))
    }

    #[test]
    fn defaults_and_validate() {
        let w = WaterMarks::default();
        assert_eq!((w.high, w.low), (1_048_576, 262_144));
        assert_eq!(w.validate(), Ok(()));
        assert_eq!(WaterMarks::new(10, 10).validate(), Ok(()));
        let e = WaterMarks::new(10, 11).validate();
        assert!(e.is_err_and(|e| e.contains("low")));
        let e = WaterMarks::new(0, 0).validate();
        assert!(e.is_err_and(|e| e.contains("high")));
        assert_eq!(gate().marks(), WaterMarks::new(100, 20));
    }

    #[test]
    fn open_below_and_at_high() {
        let mut g = gate();
        assert!(!g.is_closed());
        assert!(g.try_acquire(0));
        assert!(g.try_acquire(100));
        assert!(!g.is_closed());
    }

    #[test]
    fn hysteresis() {
        let mut g = gate();
        assert!(!g.observe(101));
        assert!(g.is_closed());
        assert!(!g.observe(100));
        assert!(!g.observe(21));
        assert!(!g.try_acquire(50));
        assert!(g.observe(20));
        assert!(!g.is_closed());
        assert!(g.observe(100));
        assert!(!g.observe(101));
    }

    #[test]
    fn waiters_fifo() {
        let mut g = gate();
        g.observe(200);
        let a = g.enqueue();
        let b = g.enqueue();
        let c = g.enqueue();
        assert_eq!(g.waiting(), 3);
        assert!(!g.poll(a, 50));
        assert!(!g.poll(b, 10), "non-head ticket must wait");
        assert!(g.poll(a, 10));
        assert!(!g.poll(c, 10));
        assert!(g.poll(b, 10));
        assert!(g.poll(c, 10));
        assert!(!g.has_waiters());
        assert!(!g.poll(c, 10), "already admitted");
    }

    #[test]
    fn try_acquire_does_not_overtake() {
        let mut g = gate();
        let a = g.enqueue();
        assert!(!g.try_acquire(0));
        assert!(g.poll(a, 0));
        assert!(g.try_acquire(0));
    }

    #[test]
    fn cancel_head_lets_next_proceed() {
        let mut g = gate();
        let a = g.enqueue();
        let b = g.enqueue();
        assert!(!g.poll(b, 0));
        g.cancel(a);
        g.cancel(a);
        g.cancel(Ticket(999));
        assert_eq!(g.waiting(), 1);
        assert!(g.poll(b, 0));
    }

    #[test]
    fn release_all_empties_in_order() {
        let mut g = gate();
        let ts: Vec<Ticket> = (0..4).map(|_| g.enqueue()).collect();
        assert_eq!(g.release_all(), ts);
        assert!(!g.has_waiters());
        assert_eq!(g.waiting(), 0);
        assert!(g.try_acquire(0));
    }
}
