//! Bounded outbound queue: messages sent while the socket is not open wait
//! here, bounded both by count and by total payload bytes.

use alloc::collections::VecDeque;
use alloc::{string::String, vec::Vec};

use crate::core::message::{Message, Payload};

/// What to do when a message does not fit in a full queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Refuse the new message and hand it back to the caller. The default.
    #[default]
    Reject,
    /// Evict the oldest queued messages until the new one fits.
    DropOldest,
}

/// Bounds of the outbound queue.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueueConfig {
    /// Maximum number of queued messages. Default: 1024.
    pub max_messages: usize,
    /// Maximum total payload bytes ([`Message::len`]) queued. Default:
    /// 1 MiB (1 048 576).
    pub max_bytes: usize,
    /// Policy when full. Default: [`Overflow::Reject`].
    pub overflow: Overflow,
}

impl Default for QueueConfig {
    /// 1024 messages, 1 MiB, [`Overflow::Reject`].
    fn default() -> Self {
        QueueConfig {
            max_messages: 1024,
            max_bytes: 1_048_576,
            overflow: Overflow::Reject,
        }
    }
}

impl QueueConfig {
    /// Set [`max_messages`](Self::max_messages). Default: 1024.
    #[must_use]
    pub fn max_messages(mut self, v: usize) -> Self {
        self.max_messages = v;
        self
    }

    /// Set [`max_bytes`](Self::max_bytes). Default: 1 MiB (1 048 576).
    #[must_use]
    pub fn max_bytes(mut self, v: usize) -> Self {
        self.max_bytes = v;
        self
    }

    /// Set [`overflow`](Self::overflow). Default: [`Overflow::Reject`].
    #[must_use]
    pub fn overflow(mut self, v: Overflow) -> Self {
        self.overflow = v;
        self
    }

    /// Errors (the message names the field) when `max_messages` or
    /// `max_bytes` is 0.
    pub fn validate(&self) -> Result<(), String> {
        self.check().map_err(|i| i.reason(&[]))
    }

    /// [`validate`](Self::validate), answering with codes (see [`rules`](super::rules)).
    ///
    /// # Errors
    /// The first field that breaks a rule.
    pub fn check(&self) -> Result<(), super::rules::Invalid> {
        use super::rules::{positive, Field};
        positive(Field::MaxMessages, self.max_messages as u64)?;
        positive(Field::MaxBytes, self.max_bytes as u64)
    }
}

/// The admission rule of [`Outbox::push`], for a queue of `bytes` bytes whose messages
/// have the sizes `sizes` (oldest first), offered a message of `len` bytes: `None` when it
/// is refused (it is larger than `max_bytes`, or the queue is full under
/// [`Overflow::Reject`]), else `Some(n)`: it is admitted once the `n` oldest are evicted
/// (`n > 0` only under [`Overflow::DropOldest`]). The npm package's holding lists (sends
/// made before a socket exists) ask the core this way, so the rule lives here once.
///
/// ```
/// use resocket::core::outbox::{admission, Overflow, QueueConfig};
///
/// let q = QueueConfig::default().max_messages(2).max_bytes(10);
/// assert_eq!(admission(&q, 4, [2, 2].into_iter(), 3), None);
/// let drop = q.overflow(Overflow::DropOldest);
/// assert_eq!(admission(&drop, 4, [2, 2].into_iter(), 3), Some(1));
/// assert_eq!(admission(&drop, 0, [].into_iter(), 11), None);
/// ```
pub fn admission(
    config: &QueueConfig,
    bytes: usize,
    sizes: impl ExactSizeIterator<Item = usize>,
    len: usize,
) -> Option<usize> {
    if len > config.max_bytes || config.max_messages == 0 {
        return None;
    }
    let (mut count, mut bytes) = (sizes.len(), bytes);
    let fits = |count: usize, bytes: usize| {
        count < config.max_messages
            && bytes
                .checked_add(len)
                .is_some_and(|b| b <= config.max_bytes)
    };
    if fits(count, bytes) {
        return Some(0);
    }
    if config.overflow == Overflow::Reject {
        return None;
    }
    let mut evict = 0;
    for size in sizes {
        if fits(count, bytes) {
            break;
        }
        count -= 1;
        bytes = bytes.saturating_sub(size);
        evict += 1;
    }
    Some(evict)
}

/// Result of offering a message to the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push<P = Message> {
    /// The message was queued; nothing was evicted.
    Queued,
    /// The message was queued after evicting these oldest messages (never
    /// empty), in queue order. Only under [`Overflow::DropOldest`].
    QueuedDropping(Vec<P>),
}

/// A FIFO of outbound messages bounded by [`QueueConfig`].
///
/// Invariant: [`bytes`](Self::bytes) is the sum of [`Payload::len`] over the
/// queued messages.
#[derive(Debug)]
pub struct Outbox<P = Message> {
    queue: VecDeque<P>,
    bytes: usize,
    config: QueueConfig,
}

impl<P: Payload> Outbox<P> {
    /// An empty queue. The config is not validated here (see
    /// [`QueueConfig::validate`]); a zero bound simply rejects every push.
    pub fn new(config: QueueConfig) -> Self {
        Outbox {
            queue: VecDeque::new(),
            bytes: 0,
            config,
        }
    }

    fn fits(&self, len: usize) -> bool {
        self.queue.len() < self.config.max_messages
            && self
                .bytes
                .checked_add(len)
                .is_some_and(|b| b <= self.config.max_bytes)
    }

    /// `true` when [`push`](Self::push) of a message of `len` bytes would succeed now:
    /// it fits, or the policy is [`Overflow::DropOldest`] and it fits an empty queue.
    /// A waiting `send().await` waits while this is `false`.
    pub fn has_room(&self, len: usize) -> bool {
        let alone = len <= self.config.max_bytes && self.config.max_messages > 0;
        alone && (self.fits(len) || self.config.overflow == Overflow::DropOldest)
    }

    /// Offer a message at the tail.
    ///
    /// `Err(msg)` hands the message back when it does not fit: the policy is
    /// [`Overflow::Reject`] and the queue is full, or the message alone is
    /// larger than `max_bytes` (under either policy; nothing is evicted
    /// then). Under [`Overflow::DropOldest`] the oldest messages are evicted,
    /// just enough to make room, and returned in [`Push::QueuedDropping`].
    pub fn push(&mut self, msg: P) -> Result<Push<P>, P> {
        let sizes = self.queue.iter().map(Payload::len);
        let Some(evict) = admission(&self.config, self.bytes, sizes, msg.len()) else {
            return Err(msg);
        };
        if evict == 0 {
            self.push_back_unchecked(msg);
            return Ok(Push::Queued);
        }
        let evicted = (0..evict).filter_map(|_| self.pop_front()).collect();
        self.push_back_unchecked(msg);
        Ok(Push::QueuedDropping(evicted))
    }

    fn push_back_unchecked(&mut self, mut msg: P) {
        msg.hold();
        self.bytes = self.bytes.saturating_add(msg.len());
        self.queue.push_back(msg);
    }

    /// Put a message back at the head: one that was taken for sending but
    /// could not be sent. Bypasses the bounds, so a message once accepted is
    /// never dropped by this path (the queue may then exceed its bounds
    /// until drained).
    pub fn push_front(&mut self, mut msg: P) {
        msg.hold();
        self.bytes = self.bytes.saturating_add(msg.len());
        self.queue.push_front(msg);
    }

    /// Take the oldest message.
    pub fn pop_front(&mut self) -> Option<P> {
        let msg = self.queue.pop_front()?;
        self.bytes = self.bytes.saturating_sub(msg.len());
        Some(msg)
    }

    /// Empty the queue, returning every message in order.
    pub fn drain_all(&mut self) -> Vec<P> {
        self.bytes = 0;
        self.queue.drain(..).collect()
    }

    /// Number of queued messages.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// `true` when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Total payload bytes queued (sum of [`Payload::len`]).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The bounds this queue was built with.
    pub fn config(&self) -> &QueueConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_room_agrees_with_push() {
        for overflow in [Overflow::Reject, Overflow::DropOldest] {
            let cfg = QueueConfig::default()
                .max_messages(2)
                .max_bytes(4)
                .overflow(overflow);
            let mut q = Outbox::new(cfg);
            for len in [1usize, 2, 1, 3, 5, 0, 4] {
                let room = q.has_room(len);
                let pushed = q.push(Message::Binary(vec![0; len])).is_ok();
                assert_eq!(room, pushed, "{overflow:?} len {len}");
            }
        }
    }

    /// A payload that is only a length and counts how often it was asked to hold.
    #[derive(Debug, PartialEq)]
    struct Borrowed {
        len: usize,
        held: u32,
    }

    impl Payload for Borrowed {
        fn len(&self) -> usize {
            self.len
        }
        fn is(&self, _: &Message) -> bool {
            false
        }
        fn hold(&mut self) {
            self.held += 1;
        }
    }

    #[test]
    fn a_kept_payload_is_told_to_hold_and_a_refused_one_is_not() {
        let mut o = Outbox::new(QueueConfig::default().max_bytes(4));
        assert_eq!(o.push(Borrowed { len: 3, held: 0 }), Ok(Push::Queued));
        let refused = o.push(Borrowed { len: 2, held: 0 });
        assert_eq!(refused, Err(Borrowed { len: 2, held: 0 }));
        let head = o.pop_front().expect("queued");
        assert_eq!(head, Borrowed { len: 3, held: 1 });
        o.push_front(head);
        assert_eq!(o.bytes(), 3);
        assert_eq!(o.drain_all(), vec![Borrowed { len: 3, held: 2 }]);
    }

    fn m(s: &str) -> Message {
        Message::from(s)
    }

    fn sum(o: &Outbox) -> usize {
        o.queue.iter().map(Message::len).sum()
    }

    #[test]
    fn defaults_and_validate() {
        let c = QueueConfig::default();
        assert_eq!(c.max_messages, 1024);
        assert_eq!(c.max_bytes, 1_048_576);
        assert_eq!(c.overflow, Overflow::Reject);
        assert_eq!(c.validate(), Ok(()));
        let e = QueueConfig::default().max_messages(0).validate();
        assert!(e.is_err_and(|e| e.contains("max_messages")));
        let e = QueueConfig::default().max_bytes(0).validate();
        assert!(e.is_err_and(|e| e.contains("max_bytes")));
    }

    #[test]
    fn fifo_order() {
        let mut o = Outbox::new(QueueConfig::default());
        for s in ["a", "b", "c"] {
            assert_eq!(o.push(m(s)), Ok(Push::Queued));
        }
        assert_eq!(o.pop_front(), Some(m("a")));
        assert_eq!(o.drain_all(), vec![m("b"), m("c")]);
        assert!(o.is_empty());
        assert_eq!(o.bytes(), 0);
        assert_eq!(o.pop_front(), None);
    }

    #[test]
    fn count_bound_rejects_same_message() {
        let mut o = Outbox::new(QueueConfig::default().max_messages(2));
        assert_eq!(o.push(m("a")), Ok(Push::Queued));
        assert_eq!(o.push(m("b")), Ok(Push::Queued));
        assert_eq!(o.push(m("c")), Err(m("c")));
        assert_eq!(o.len(), 2);
        assert_eq!(o.bytes(), 2);
    }

    #[test]
    fn byte_bound() {
        let mut o = Outbox::new(QueueConfig::default().max_bytes(5));
        assert_eq!(o.push(m("abc")), Ok(Push::Queued));
        assert_eq!(o.push(m("de")), Ok(Push::Queued));
        assert_eq!(o.push(m("")), Ok(Push::Queued));
        assert_eq!(o.push(m("f")), Err(m("f")));
        assert_eq!(o.bytes(), 5);
        assert_eq!(o.len(), 3);
    }

    #[test]
    fn drop_oldest_evicts_just_enough() {
        let cfg = QueueConfig::default()
            .max_bytes(6)
            .overflow(Overflow::DropOldest);
        let mut o = Outbox::new(cfg);
        for s in ["a", "bb", "c", "dd"] {
            assert_eq!(o.push(m(s)), Ok(Push::Queued));
        }
        assert_eq!(
            o.push(m("eee")),
            Ok(Push::QueuedDropping(vec![m("a"), m("bb")]))
        );
        assert_eq!(o.bytes(), 6);
        assert_eq!(o.drain_all(), vec![m("c"), m("dd"), m("eee")]);

        let cfg = QueueConfig::default()
            .max_messages(2)
            .overflow(Overflow::DropOldest);
        let mut o = Outbox::new(cfg);
        for s in ["a", "b"] {
            assert_eq!(o.push(m(s)), Ok(Push::Queued));
        }
        assert_eq!(o.push(m("c")), Ok(Push::QueuedDropping(vec![m("a")])));
        assert_eq!(o.drain_all(), vec![m("b"), m("c")]);
    }

    #[test]
    fn oversize_rejected_without_eviction() {
        for policy in [Overflow::Reject, Overflow::DropOldest] {
            let cfg = QueueConfig::default().max_bytes(4).overflow(policy);
            let mut o = Outbox::new(cfg);
            assert_eq!(o.push(m("ab")), Ok(Push::Queued));
            let big = Message::from(vec![0u8; 5]);
            assert_eq!(o.push(big.clone()), Err(big));
            assert_eq!(o.len(), 1);
            assert_eq!(o.bytes(), 2);
        }
    }

    #[test]
    fn zero_bounds_reject_everything() {
        let cfg = QueueConfig::default()
            .max_messages(0)
            .overflow(Overflow::DropOldest);
        let mut o = Outbox::new(cfg);
        assert_eq!(o.push(m("")), Err(m("")));
        let mut o = Outbox::new(QueueConfig::default().max_bytes(0));
        assert_eq!(o.push(m("a")), Err(m("a")));
        assert_eq!(o.push(m("")), Ok(Push::Queued));
    }

    #[test]
    fn push_front_restores_head_and_bytes() {
        let mut o = Outbox::new(QueueConfig::default().max_messages(2));
        assert_eq!(o.push(m("ab")), Ok(Push::Queued));
        assert_eq!(o.push(m("c")), Ok(Push::Queued));
        let head = o.pop_front();
        assert_eq!(o.bytes(), 1);
        assert_eq!(o.push(m("d")), Ok(Push::Queued));
        if let Some(h) = head {
            o.push_front(h);
        }
        assert_eq!(o.len(), 3);
        assert_eq!(o.bytes(), 4);
        assert_eq!(o.drain_all(), vec![m("ab"), m("c"), m("d")]);
    }

    #[test]
    fn bytes_match_sum_randomized() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for policy in [Overflow::Reject, Overflow::DropOldest] {
            let cfg = QueueConfig::default()
                .max_messages(8)
                .max_bytes(40)
                .overflow(policy);
            let mut o = Outbox::new(cfg);
            for _ in 0..2000 {
                match next() % 5 {
                    0..=2 => {
                        let _ = o.push(Message::from(vec![7u8; next() % 48]));
                    }
                    3 => {
                        if let Some(x) = o.pop_front() {
                            if next() % 2 == 0 {
                                o.push_front(x);
                            }
                        }
                    }
                    _ => {
                        if next() % 10 == 0 {
                            o.drain_all();
                        }
                    }
                }
                assert_eq!(o.bytes(), sum(&o));
                assert!(o.len() <= 8 && o.bytes() <= 40);
            }
        }
    }
}
