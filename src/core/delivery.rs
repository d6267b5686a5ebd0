//! Acknowledged delivery: the credit window of messages sent but not yet acknowledged.
//!
//! With [`Config::delivery`](super::config::Config::delivery) set, a message sent with an
//! [`Id`] (the application's own id, read by the face from the message) is *tracked*: it
//! stays in the credit window from `send` until the peer acknowledges it, and every time a
//! new socket opens, the tracked messages not yet acknowledged are sent again, in their
//! order, before the queue. That is at-least-once delivery across drops: the ids let the
//! server drop duplicates.
//!
//! The window is bounded in messages and bytes ([`WindowConfig`]): when it is full, a
//! send waits (`send().await`) or fails fast (`try_send`). That is flow control by the
//! peer's acknowledgements, which works whatever the engine's `bufferedAmount` says.
//!
//! Acknowledgements are read from inbound messages by the application (a function in
//! each face; it is application code, so it never runs inside the core) and handed to
//! [`Supervisor::ack`](super::supervisor::Supervisor::ack) as an [`Ack`]: one id, or
//! every numeric id up to `n`.

use alloc::collections::VecDeque;
use alloc::{string::String, vec::Vec};

use super::message::Payload;
use super::rules::{positive, Field, Invalid};

/// The largest numeric id: 2^53 - 1, the largest integer a JavaScript number holds
/// exactly (so both faces accept the same ids).
pub const MAX_NUMERIC_ID: u64 = (1 << 53) - 1;

/// The longest text id, in bytes of UTF-8.
pub const MAX_TEXT_ID: usize = 256;

/// A tracked message's id: the application's own, read from the message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Id {
    /// A number from 0 to [`MAX_NUMERIC_ID`]. Only numeric ids are covered by a
    /// cumulative acknowledgement ([`Ack::Through`]).
    Num(u64),
    /// A text of 1 to [`MAX_TEXT_ID`] bytes.
    Text(String),
}

impl Id {
    /// A numeric id, or `None` when `n` is not an integer from 0 to [`MAX_NUMERIC_ID`]
    /// (a JavaScript number: NaN, fractions, negatives and huge values are refused).
    ///
    /// ```
    /// use resocket::core::delivery::Id;
    ///
    /// assert_eq!(Id::number(7.0), Some(Id::Num(7)));
    /// assert_eq!(Id::number(-1.0), None);
    /// assert_eq!(Id::number(1.5), None);
    /// assert_eq!(Id::number(1e300), None);
    /// ```
    pub fn number(n: f64) -> Option<Id> {
        let ok = n >= 0.0 && n <= MAX_NUMERIC_ID as f64 && n == (n as u64) as f64;
        ok.then_some(Id::Num(n as u64))
    }

    /// A numeric id from an integer, or `None` above [`MAX_NUMERIC_ID`].
    pub fn int(n: u64) -> Option<Id> {
        (n <= MAX_NUMERIC_ID).then_some(Id::Num(n))
    }

    /// A text id, or `None` when it is empty or longer than [`MAX_TEXT_ID`] bytes.
    pub fn text(s: &str) -> Option<Id> {
        (!s.is_empty() && s.len() <= MAX_TEXT_ID).then(|| Id::Text(s.into()))
    }
}

impl core::fmt::Display for Id {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Id::Num(n) => write!(f, "{n}"),
            // Quoted, not Debug-escaped: the npm module carries no escaping code.
            Id::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

/// An acknowledgement read from an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// The message with this id arrived.
    Id(Id),
    /// Every tracked message with a numeric id up to and including this one arrived. A
    /// bound above [`MAX_NUMERIC_ID`] is not an acknowledgement (it releases nothing).
    Through(u64),
}

impl Ack {
    /// A cumulative acknowledgement from a JavaScript number, or `None` when `n` is not
    /// an integer from 0 to [`MAX_NUMERIC_ID`].
    ///
    /// ```
    /// use resocket::core::delivery::Ack;
    ///
    /// assert_eq!(Ack::through(12.0), Some(Ack::Through(12)));
    /// assert_eq!(Ack::through(1e300), None);
    /// ```
    pub fn through(n: f64) -> Option<Ack> {
        match Id::number(n)? {
            Id::Num(n) => Some(Ack::Through(n)),
            Id::Text(_) => None,
        }
    }
}

/// Bounds of the credit window.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WindowConfig {
    /// Most tracked messages not yet acknowledged. Default: 256.
    pub max_messages: usize,
    /// Most bytes of tracked messages not yet acknowledged. A message larger than this
    /// is admitted when the window is empty (alone). Default: 1 MiB (1 048 576).
    pub max_bytes: usize,
}

impl Default for WindowConfig {
    /// 256 messages, 1 MiB.
    fn default() -> Self {
        WindowConfig {
            max_messages: 256,
            max_bytes: 1 << 20,
        }
    }
}

impl WindowConfig {
    /// Set [`max_messages`](Self::max_messages).
    #[must_use]
    pub fn max_messages(mut self, v: usize) -> Self {
        self.max_messages = v;
        self
    }

    /// Set [`max_bytes`](Self::max_bytes).
    #[must_use]
    pub fn max_bytes(mut self, v: usize) -> Self {
        self.max_bytes = v;
        self
    }

    /// Both bounds must be at least 1.
    ///
    /// # Errors
    /// The first field that breaks a rule.
    pub fn check(&self) -> Result<(), Invalid> {
        positive(Field::WindowMessages, self.max_messages as u64)?;
        positive(Field::WindowBytes, self.max_bytes as u64)
    }
}

/// A tracked message in the window.
#[derive(Debug)]
pub(crate) struct Entry<P> {
    pub(crate) id: Id,
    pub(crate) message: P,
    /// The socket it was last handed to (`None`: not sent yet).
    pub(crate) sent_on: Option<u64>,
    /// When it expires (its acknowledgement is no longer waited for).
    pub(crate) deadline: Option<u64>,
}

/// The tracked messages not yet acknowledged, in the order they were sent.
#[derive(Debug)]
pub(crate) struct Window<P> {
    config: WindowConfig,
    entries: VecDeque<Entry<P>>,
    bytes: usize,
    /// Whether sends that waited for room enter as room comes (see
    /// [`admits_waiting`](Self::admits_waiting)).
    refilling: bool,
}

impl<P: Payload> Window<P> {
    pub(crate) fn new(config: WindowConfig) -> Self {
        Window {
            config,
            entries: VecDeque::new(),
            bytes: 0,
            refilling: true,
        }
    }

    /// Whether a send that waits for room may enter now. Once the window was full,
    /// waiting sends enter again only when it has drained to its low mark (three quarters
    /// of its bounds), then one after another while there is room: they leave together,
    /// in the task of one acknowledgement, not one per acknowledgement.
    pub(crate) fn admits_waiting(&mut self, len: usize) -> bool {
        if !self.has_room(len) {
            self.refilling = false;
            return false;
        }
        if !self.refilling {
            let low = |bound: usize| bound - bound / 4;
            if self.entries.len() > low(self.config.max_messages)
                || self.bytes > low(self.config.max_bytes)
            {
                return false;
            }
            self.refilling = true;
        }
        true
    }

    /// Accounts for an entry that left the window.
    fn left(&mut self, e: &Entry<P>) {
        self.bytes -= e.message.len();
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether a message of `len` bytes fits now (alone, when the window is empty).
    pub(crate) fn has_room(&self, len: usize) -> bool {
        self.entries.is_empty()
            || (self.entries.len() < self.config.max_messages
                && self
                    .bytes
                    .checked_add(len)
                    .is_some_and(|b| b <= self.config.max_bytes))
    }

    pub(crate) fn contains(&self, id: &Id) -> bool {
        // Numeric ids (the usual kind) by a plain comparison of numbers.
        match id {
            Id::Num(k) => self
                .entries
                .iter()
                .any(|e| matches!(e.id, Id::Num(j) if j == *k)),
            Id::Text(_) => self.entries.iter().any(|e| &e.id == id),
        }
    }

    pub(crate) fn push(&mut self, entry: Entry<P>) {
        self.bytes += entry.message.len();
        self.entries.push_back(entry);
    }

    /// The entries not yet handed to socket `socket`, in order, marked as handed to it;
    /// `true` with those that were handed to an earlier socket (a replay).
    pub(crate) fn unsent_on(&mut self, socket: u64) -> impl Iterator<Item = (&P, bool)> {
        self.entries.iter_mut().filter_map(move |e| {
            if e.sent_on == Some(socket) {
                None
            } else {
                let again = e.sent_on.replace(socket).is_some();
                Some((&e.message, again))
            }
        })
    }

    /// The last entry, marked as handed to `socket`.
    pub(crate) fn mark_last(&mut self, socket: u64) -> Option<&P> {
        let e = self.entries.back_mut()?;
        e.sent_on = Some(socket);
        Some(&e.message)
    }

    /// Removes what `ack` covers, in send order.
    pub(crate) fn ack(&mut self, ack: &Ack) -> Vec<Entry<P>> {
        match ack {
            Ack::Id(id) => match self.entries.iter().position(|e| &e.id == id) {
                Some(i) => self.entries.remove(i).map_or_else(Vec::new, |e| {
                    self.left(&e);
                    alloc::vec![e]
                }),
                None => Vec::new(),
            },
            // No id is above MAX_NUMERIC_ID: a larger bound is not an acknowledgement.
            Ack::Through(n) if *n > MAX_NUMERIC_ID => Vec::new(),
            Ack::Through(n) => self.remove_where(|_, e| matches!(e.id, Id::Num(k) if k <= *n)),
        }
    }

    /// Removes the entries whose deadline is at or before `now`.
    pub(crate) fn expire(&mut self, now: u64) -> Vec<Entry<P>> {
        self.remove_where(|_, e| e.deadline.is_some_and(|d| d <= now))
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.entries.iter().filter_map(|e| e.deadline).min()
    }

    pub(crate) fn drain_all(&mut self) -> Vec<Entry<P>> {
        self.bytes = 0;
        self.entries.drain(..).collect()
    }

    /// Removes the entries `pick(index, entry)` chooses, in order. What goes is usually at
    /// the front (acknowledgements come in send order): that part costs no copy of the rest.
    fn remove_where(&mut self, mut pick: impl FnMut(usize, &Entry<P>) -> bool) -> Vec<Entry<P>> {
        let mut out = Vec::new();
        while let Some(e) = self.entries.front() {
            if !pick(out.len(), e) {
                break;
            }
            if let Some(e) = self.entries.pop_front() {
                self.left(&e);
                out.push(e);
            }
        }
        let front = out.len();
        if !self
            .entries
            .iter()
            .enumerate()
            .any(|(i, e)| pick(front + i, e))
        {
            return out;
        }
        let rest = core::mem::take(&mut self.entries);
        let mut kept = VecDeque::with_capacity(rest.len());
        for (i, e) in rest.into_iter().enumerate() {
            if pick(front + i, &e) {
                self.left(&e);
                out.push(e);
            } else {
                kept.push_back(e);
            }
        }
        self.entries = kept;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::message::Message;

    fn entry(id: Id, len: usize) -> Entry<Message> {
        Entry {
            id,
            message: Message::Binary(alloc::vec![0; len]),
            sent_on: None,
            deadline: None,
        }
    }

    #[test]
    fn room_is_bounded_by_count_and_bytes_but_one_message_always_fits_alone() {
        let mut w = Window::new(WindowConfig::default().max_messages(2).max_bytes(10));
        assert!(w.has_room(11), "alone, even over the byte bound");
        w.push(entry(Id::Num(1), 6));
        assert!(w.has_room(4));
        assert!(!w.has_room(5));
        w.push(entry(Id::Num(2), 1));
        assert!(!w.has_room(0), "count bound");
        assert_eq!((w.len(), w.bytes()), (2, 7));
    }

    #[test]
    fn waiting_sends_enter_a_window_that_was_full_from_its_low_mark_on_then_while_there_is_room() {
        let mut w = Window::new(WindowConfig::default().max_messages(8).max_bytes(1000));
        for i in 0..8 {
            assert!(w.admits_waiting(1), "room: in at once");
            w.push(entry(Id::Num(i), 1));
        }
        assert!(!w.admits_waiting(1), "full");
        w.ack(&Ack::Id(Id::Num(0)));
        assert!(w.has_room(1), "one free place...");
        assert!(!w.admits_waiting(1), "...but above the low mark (6 of 8)");
        w.ack(&Ack::Id(Id::Num(1)));
        assert!(w.admits_waiting(1), "at the low mark");
        w.push(entry(Id::Num(8), 1));
        assert!(w.admits_waiting(1), "then while there is room");
        w.push(entry(Id::Num(9), 1));
        assert!(!w.admits_waiting(1), "full again");
        // By bytes: three quarters of 1000.
        let mut w = Window::new(WindowConfig::default().max_messages(100).max_bytes(1000));
        w.push(entry(Id::Num(1), 600));
        w.push(entry(Id::Num(2), 300));
        assert!(!w.admits_waiting(200), "no room");
        w.ack(&Ack::Id(Id::Num(2)));
        assert!(
            w.has_room(200) && w.admits_waiting(200),
            "600 bytes: under the low mark"
        );
    }

    #[test]
    fn a_cumulative_ack_releases_exactly_the_numeric_ids_it_covers() {
        let mut w = Window::new(WindowConfig::default());
        for id in [Id::Num(3), Id::Text("3".into()), Id::Num(1), Id::Num(9)] {
            w.push(entry(id, 1));
        }
        let out: Vec<Id> = w.ack(&Ack::Through(3)).into_iter().map(|e| e.id).collect();
        assert_eq!(out, [Id::Num(3), Id::Num(1)]);
        assert_eq!(w.len(), 2);
        assert!(
            w.ack(&Ack::Through(3)).is_empty(),
            "a duplicate releases nothing"
        );
        assert!(
            w.ack(&Ack::Id(Id::Num(77))).is_empty(),
            "an unknown id nothing"
        );
        assert!(
            w.ack(&Ack::Through(MAX_NUMERIC_ID + 1)).is_empty(),
            "over the bound"
        );
        assert_eq!(w.ack(&Ack::Id(Id::Text("3".into()))).len(), 1);
        assert_eq!(w.bytes(), 1);
    }

    #[test]
    fn ids_from_javascript_numbers_and_texts_are_checked() {
        assert_eq!(
            Id::number(MAX_NUMERIC_ID as f64),
            Some(Id::Num(MAX_NUMERIC_ID))
        );
        assert_eq!(Id::number(MAX_NUMERIC_ID as f64 + 2.0), None);
        assert_eq!(Id::number(f64::NAN), None);
        assert_eq!(Id::number(-0.0), Some(Id::Num(0)));
        assert_eq!(Id::int(MAX_NUMERIC_ID + 1), None);
        assert_eq!(Id::text(""), None);
        assert!(Id::text(&"x".repeat(MAX_TEXT_ID)).is_some());
        assert_eq!(Id::text(&"x".repeat(MAX_TEXT_ID + 1)), None);
    }
}
