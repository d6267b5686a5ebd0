//! The bounded buffer between the socket and a `Stream` the application may not read.
//!
//! The browser cannot pause a WebSocket, so a stream nobody polls would grow without
//! bound. [`Inbound`] keeps at most [`InboundLimits`] worth of items; when a new one does
//! not fit, the oldest are discarded and counted, and the reader is told how many
//! (`Error::Lagged`) before it gets the next item, so nothing is lost silently.

use alloc::collections::VecDeque;

/// Bounds of the inbound buffer of a Rust `Socket`'s stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboundLimits {
    /// Most items kept unread. Default: 4096.
    pub max_messages: usize,
    /// Most payload bytes kept unread. The newest item is always kept, whatever its
    /// size. Default: 16 MiB (16 777 216).
    pub max_bytes: usize,
}

impl Default for InboundLimits {
    /// 4096 messages, 16 MiB.
    fn default() -> Self {
        InboundLimits {
            max_messages: 4096,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

impl InboundLimits {
    /// Limits of `max_messages` items and `max_bytes` bytes.
    pub fn new(max_messages: usize, max_bytes: usize) -> Self {
        InboundLimits {
            max_messages,
            max_bytes,
        }
    }

    /// Errors (naming the field) when `max_messages` is 0.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.max_messages == 0 {
            return Err("max_messages must be greater than 0");
        }
        Ok(())
    }
}

/// What [`Inbound::pop`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next<T> {
    /// This many items were discarded since the last pop (reported once, first).
    Lagged(u64),
    /// The oldest item kept.
    Item(T),
}

/// A FIFO bounded by [`InboundLimits`] that discards the oldest items on overflow.
#[derive(Debug)]
pub struct Inbound<T> {
    items: VecDeque<(T, usize)>,
    bytes: usize,
    lagged: u64,
    limits: InboundLimits,
}

impl<T> Inbound<T> {
    /// An empty buffer.
    pub fn new(limits: InboundLimits) -> Self {
        Inbound {
            items: VecDeque::new(),
            bytes: 0,
            lagged: 0,
            limits,
        }
    }

    /// Append an item of `len` bytes, discarding the oldest until it fits.
    pub fn push(&mut self, item: T, len: usize) {
        while !self.items.is_empty()
            && (self.items.len() >= self.limits.max_messages
                || self.bytes.saturating_add(len) > self.limits.max_bytes)
        {
            if let Some((_, old)) = self.items.pop_front() {
                self.bytes -= old;
                self.lagged += 1;
            }
        }
        self.bytes = self.bytes.saturating_add(len);
        self.items.push_back((item, len));
    }

    /// The next thing to yield: a lag report first, if any, then the oldest item.
    pub fn pop(&mut self) -> Option<Next<T>> {
        if self.lagged > 0 {
            return Some(Next::Lagged(::core::mem::take(&mut self.lagged)));
        }
        let (item, len) = self.items.pop_front()?;
        self.bytes -= len;
        Some(Next::Item(item))
    }

    /// Items kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// `true` when nothing is kept and nothing is to be reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.lagged == 0
    }

    /// Payload bytes kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_by_count_and_reports_the_lag_once() {
        let mut b = Inbound::new(InboundLimits::new(3, 1000));
        for i in 0..10 {
            b.push(i, 1);
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.pop(), Some(Next::Lagged(7)));
        assert_eq!(b.pop(), Some(Next::Item(7)));
        assert_eq!(b.pop(), Some(Next::Item(8)));
        assert_eq!(b.pop(), Some(Next::Item(9)));
        assert_eq!(b.pop(), None);
        assert!(b.is_empty());
    }

    #[test]
    fn bounded_by_bytes_keeping_the_newest() {
        let mut b = Inbound::new(InboundLimits::new(100, 10));
        b.push("a", 4);
        b.push("b", 4);
        assert_eq!(b.bytes(), 8);
        b.push("c", 4); // evicts "a"
        assert_eq!((b.len(), b.bytes()), (2, 8));
        b.push("huge", 50); // alone over the bound: kept, everything else goes
        assert_eq!((b.len(), b.bytes()), (1, 50));
        assert_eq!(b.pop(), Some(Next::Lagged(3)));
        assert_eq!(b.pop(), Some(Next::Item("huge")));
        assert_eq!(b.bytes(), 0);
    }
}
