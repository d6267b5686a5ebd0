//! Shared state: live-connection registry, per-tag stats, down windows and chat rooms.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

use crate::ack::{missing_report, AckStats, Drops, Id, MAX_DROP_LIST};

/// Most close frames remembered per tag.
const MAX_CLOSES: usize = 1000;
/// Most connection times remembered per tag (the first ones).
const MAX_ACCEPT_TIMES: usize = 1000;

/// A fault or control action delivered to one live connection.
#[derive(Debug, Clone)]
pub enum Command {
    /// Close the TCP socket without a close frame.
    Drop,
    /// Send a close frame with this code and reason, then close.
    Kill { code: u16, reason: String },
    /// Stop reading for this long.
    Stall(Duration),
}

/// How handshakes are refused while a tag is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownMode {
    /// Close the TCP connection without responding.
    Refuse,
    /// Respond with HTTP 503.
    Fail,
}

struct ConnEntry {
    tag: String,
    ctl: UnboundedSender<Command>,
}

#[derive(Default)]
struct TagStats {
    accepted: u64,
    /// When the first [`MAX_ACCEPT_TIMES`] connections were accepted.
    accepted_at: Vec<Instant>,
    refused: u64,
    messages_in: u64,
    bytes_in: u64,
    pings: u64,
    /// (global sequence, code, reason), oldest first.
    closes: VecDeque<(u64, Option<u16>, String)>,
    /// Tracked messages on `/ack`.
    ack: AckStats,
}

struct DownRule {
    tag: Option<String>,
    until: Instant,
    mode: DownMode,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    close_seq: u64,
    conns: HashMap<u64, ConnEntry>,
    stats: HashMap<String, TagStats>,
    down: Vec<DownRule>,
    rooms: HashMap<String, Vec<(u64, UnboundedSender<Message>)>>,
}

impl Inner {
    fn tag_stats(&mut self, tag: &str) -> &mut TagStats {
        self.stats.entry(tag.to_string()).or_default()
    }
}

fn matches(filter: Option<&str>, tag: &str) -> bool {
    filter.is_none_or(|f| f == tag)
}

/// The first [`MAX_ACCEPT_TIMES`] of `times`, in ms since the earliest.
fn relative_ms(mut times: Vec<Instant>) -> Vec<u64> {
    times.sort();
    times.truncate(MAX_ACCEPT_TIMES);
    let first = times.first().copied();
    let since = |t: Instant| first.map_or(0, |f| t.duration_since(f).as_millis() as u64);
    times.into_iter().map(since).collect()
}

/// Registry shared by every connection task and the control endpoints.
#[derive(Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers an accepted connection; returns its unique id.
    pub fn register(&self, tag: &str, ctl: UnboundedSender<Command>) -> u64 {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        let stats = inner.tag_stats(tag);
        stats.accepted += 1;
        if stats.accepted_at.len() < MAX_ACCEPT_TIMES {
            stats.accepted_at.push(Instant::now());
        }
        let tag = tag.to_string();
        inner.conns.insert(id, ConnEntry { tag, ctl });
        id
    }

    /// Removes a connection (and its chat membership).
    pub fn unregister(&self, id: u64) {
        let mut inner = self.lock();
        inner.conns.remove(&id);
        for members in inner.rooms.values_mut() {
            members.retain(|(m, _)| *m != id);
        }
        inner.rooms.retain(|_, members| !members.is_empty());
    }

    /// Sends `cmd` to every live connection matching `tag`; returns how many got it.
    pub fn send(&self, tag: Option<&str>, cmd: &Command) -> usize {
        let inner = self.lock();
        inner
            .conns
            .values()
            .filter(|c| matches(tag, &c.tag))
            .filter(|c| c.ctl.send(cmd.clone()).is_ok())
            .count()
    }

    /// Counts one data message of `bytes` payload bytes.
    pub fn record_message(&self, tag: &str, bytes: usize) {
        let mut inner = self.lock();
        let stats = inner.tag_stats(tag);
        stats.messages_in += 1;
        stats.bytes_in += bytes as u64;
    }

    /// Counts one application-level `ping`.
    pub fn record_ping(&self, tag: &str) {
        self.lock().tag_stats(tag).pings += 1;
    }

    /// Remembers a close frame received from a client.
    pub fn record_close(&self, tag: &str, code: Option<u16>, reason: &str) {
        let mut inner = self.lock();
        inner.close_seq += 1;
        let seq = inner.close_seq;
        let closes = &mut inner.tag_stats(tag).closes;
        if closes.len() >= MAX_CLOSES {
            closes.pop_front();
        }
        closes.push_back((seq, code, reason.to_string()));
    }

    /// Counts one `/ack` connection.
    pub fn record_ack_connection(&self, tag: &str) {
        self.lock().tag_stats(tag).ack.connections += 1;
    }

    /// Records a tracked `/ack` message; true when the connection must be dropped on it.
    pub fn record_ack(&self, tag: &str, id: &Id, drops: Drops) -> bool {
        self.lock().tag_stats(tag).ack.record(id, drops)
    }

    /// `/control/ackstats` JSON: which ids of `1..=expect` `tag` (or no tag) has not recorded.
    pub fn ack_missing(&self, tag: Option<&str>, expect: u64) -> Value {
        let inner = self.lock();
        let tags: Vec<&AckStats> = inner
            .stats
            .iter()
            .filter(|(t, _)| matches(tag, t))
            .map(|(_, s)| &s.ack)
            .collect();
        missing_report(&tags, expect)
    }

    /// Refuses handshakes matching `tag` for `dur`.
    pub fn set_down(&self, tag: Option<&str>, dur: Duration, mode: DownMode) {
        let now = Instant::now();
        let until = now
            .checked_add(dur)
            .unwrap_or(now + Duration::from_secs(86_400 * 365));
        let mut inner = self.lock();
        inner.down.retain(|r| r.until > now);
        let tag = tag.map(str::to_string);
        inner.down.push(DownRule { tag, until, mode });
    }

    /// If a handshake with `tag` must be refused now, counts it and returns the mode.
    pub fn check_down(&self, tag: &str) -> Option<DownMode> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.down.retain(|r| r.until > now);
        let rule = inner
            .down
            .iter()
            .rev()
            .find(|r| matches(r.tag.as_deref(), tag))?;
        let mode = rule.mode;
        inner.tag_stats(tag).refused += 1;
        Some(mode)
    }

    /// Stats JSON for `tag` (or all tags combined).
    pub fn stats(&self, tag: Option<&str>) -> Value {
        let inner = self.lock();
        let open = inner
            .conns
            .values()
            .filter(|c| matches(tag, &c.tag))
            .count();
        let mut total = TagStats::default();
        let mut closes = Vec::new();
        let mut ack_ids = 0;
        let mut drop_at = Vec::new();
        for (_, s) in inner.stats.iter().filter(|(t, _)| matches(tag, t)) {
            total.ack.add_counts(&s.ack);
            ack_ids += s.ack.ids();
            drop_at.extend_from_slice(&s.ack.drop_at);
            total.accepted += s.accepted;
            total.accepted_at.extend_from_slice(&s.accepted_at);
            total.refused += s.refused;
            total.messages_in += s.messages_in;
            total.bytes_in += s.bytes_in;
            total.pings += s.pings;
            closes.extend(s.closes.iter().cloned());
        }
        drop_at.truncate(MAX_DROP_LIST);
        closes.sort_by_key(|c| c.0);
        let closes: Vec<Value> = closes
            .into_iter()
            .map(|(_, code, reason)| json!({ "code": code, "reason": reason }))
            .collect();
        json!({
            "accepted": total.accepted,
            "accepted_at_ms": relative_ms(total.accepted_at),
            "open": open,
            "refused": total.refused,
            "messages_in": total.messages_in,
            "bytes_in": total.bytes_in,
            "pings": total.pings,
            "closes": closes,
            "ack_connections": total.ack.connections,
            "ack_received": total.ack.received,
            "ack_ids": ack_ids,
            "ack_duplicates": total.ack.duplicates,
            "ack_drops": total.ack.drops,
            "ack_drop_at": drop_at,
            "ack_ids_full": total.ack.full,
        })
    }

    /// Forgets the stats of `tag` (or of all tags). Live connections stay.
    pub fn reset(&self, tag: Option<&str>) {
        let mut inner = self.lock();
        match tag {
            Some(t) => {
                inner.stats.remove(t);
            }
            None => inner.stats.clear(),
        }
    }

    /// Adds connection `id` to chat `room`; it receives broadcasts on `tx`.
    pub fn join_room(&self, room: &str, id: u64, tx: UnboundedSender<Message>) {
        let mut inner = self.lock();
        inner
            .rooms
            .entry(room.to_string())
            .or_default()
            .push((id, tx));
    }

    /// Delivers `msg` to every member of `room`, under one lock so all members see one order;
    /// then `reply`, if any, to member `from` alone (so it follows `from`'s own copy).
    pub fn broadcast(&self, room: &str, msg: &Message, from: u64, reply: Option<Message>) {
        let inner = self.lock();
        let members = inner.rooms.get(room).into_iter().flatten();
        for (_, tx) in members.clone() {
            let _ = tx.send(msg.clone());
        }
        if let Some(reply) = reply {
            if let Some((_, tx)) = members.clone().find(|(m, _)| *m == from) {
                let _ = tx.send(reply);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    #[test]
    fn accept_times_are_capped() {
        let reg = Registry::default();
        let (tx, _rx) = unbounded_channel();
        for _ in 0..MAX_ACCEPT_TIMES + 5 {
            reg.register("a", tx.clone());
        }
        reg.register("b", tx);
        let a = reg.stats(Some("a"));
        assert_eq!(a["accepted"], MAX_ACCEPT_TIMES as u64 + 5);
        let times = a["accepted_at_ms"].as_array().unwrap();
        assert_eq!(
            (times.len(), times[0].as_u64()),
            (MAX_ACCEPT_TIMES, Some(0))
        );
        let all = reg.stats(None);
        assert_eq!(
            all["accepted_at_ms"].as_array().unwrap().len(),
            MAX_ACCEPT_TIMES
        );
        reg.reset(Some("a"));
        assert_eq!(reg.stats(Some("a"))["accepted_at_ms"], json!([]));
    }
}
