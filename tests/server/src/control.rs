//! `/control/*` endpoints: fault injection and stats, each filtered by an optional `tag`.

use serde_json::{json, Value};
use tokio::time::Duration;

use crate::faults::{Command, DownMode, Registry};
use crate::query::Query;

/// Runs control action `name`; `None` for an unknown action.
pub fn handle(name: &str, q: &Query, reg: &Registry) -> Option<Value> {
    let tag = q.tag();
    let value = match name {
        "drop" => json!({ "dropped": reg.send(tag, &Command::Drop) }),
        "kill" => {
            let code = q.num("code", 1001u16);
            let reason = q.get("reason").unwrap_or("").to_string();
            json!({ "killed": reg.send(tag, &Command::Kill { code, reason }) })
        }
        "down" => {
            let ms = q.num("ms", 0u64);
            let mode = match q.get("mode") {
                Some("fail") => DownMode::Fail,
                _ => DownMode::Refuse,
            };
            // Set the window first so instant reconnects are already refused.
            reg.set_down(tag, Duration::from_millis(ms), mode);
            let dropped = reg.send(tag, &Command::Drop);
            json!({ "down_ms": ms, "dropped": dropped })
        }
        "stall" => {
            let ms = q.num("ms", 0u64);
            let stalled = reg.send(tag, &Command::Stall(Duration::from_millis(ms)));
            json!({ "stalled": stalled })
        }
        "stats" => reg.stats(tag),
        "ackstats" => reg.ack_missing(tag, q.num("expect", 0u64)),
        "reset" => {
            reg.reset(tag);
            json!({ "ok": true })
        }
        _ => return None,
    };
    Some(value)
}
