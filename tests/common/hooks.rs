//! Shared by the framework suites (`web_leptos`, `web_yew`): a DOM root to mount into, a
//! counter of the hooks' poll timers, and the checks both run once their probe is mounted.
//!
//! Both suites render the same probes: `.state`, `.ready`, `.retry`, `.buffered` and
//! `.queued` show the hook's data, `.log` lists every item received and the `.send` button
//! sends the probe's `outgoing` text.
#![cfg(any(feature = "leptos", feature = "yew"))]
#![allow(dead_code)]

use wasm_bindgen::JsCast;

use super::{control, sleep, within};

/// A fresh element appended to `<body>`, removed on drop.
pub struct Root(pub web_sys::HtmlElement, &'static str);

impl Root {
    /// `hint` is added to the message of a DOM wait that times out.
    pub fn new(hint: &'static str) -> Root {
        let document = web_sys::window().unwrap().document().unwrap();
        let el = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&el).unwrap();
        Root(el.unchecked_into(), hint)
    }

    pub fn text(&self, selector: &str) -> Option<String> {
        self.0
            .query_selector(selector)
            .unwrap()
            .and_then(|e| e.text_content())
    }

    pub fn items(&self) -> Vec<String> {
        let mut items = Vec::new();
        let list = self.0.query_selector(".log").unwrap();
        let mut next = list.and_then(|l| l.first_element_child());
        while let Some(li) = next {
            items.push(li.text_content().unwrap_or_default());
            next = li.next_element_sibling();
        }
        items
    }

    pub fn click(&self, selector: &str) {
        let el = self.0.query_selector(selector).unwrap().unwrap();
        el.unchecked_into::<web_sys::HtmlElement>().click();
    }

    /// Poll the DOM every 5 ms until `pred` holds.
    pub async fn until(&self, ms: u32, what: &str, pred: impl Fn() -> bool) {
        let what = format!("{what} ({})", self.1);
        within(ms, &what, async {
            while !pred() {
                sleep(5).await;
            }
        })
        .await
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// Counts `setTimeout` calls with the hook's poll interval (no other timer uses it) until
/// dropped, when the real `setTimeout` is put back.
pub struct PollTimers(js_sys::Function);

impl PollTimers {
    /// `poll_ms`: the hook's `POLL_MS`.
    pub fn install(poll_ms: u32) -> PollTimers {
        let install = js_sys::Function::new_with_args(
            "ms",
            "const real = globalThis.setTimeout;
             globalThis.__pollTimers = 0;
             globalThis.setTimeout = function (f, t, ...rest) {
               if (t === ms) globalThis.__pollTimers += 1;
               return real.call(this, f, t, ...rest);
             };
             return () => { globalThis.setTimeout = real; };",
        );
        let ms = wasm_bindgen::JsValue::from(poll_ms);
        let restore = install.call1(&wasm_bindgen::JsValue::NULL, &ms).unwrap();
        PollTimers(restore.unchecked_into())
    }

    pub fn take(&self) -> u32 {
        let global = js_sys::global();
        let key = wasm_bindgen::JsValue::from("__pollTimers");
        let n = js_sys::Reflect::get(&global, &key)
            .unwrap()
            .as_f64()
            .unwrap_or(0.0) as u32;
        js_sys::Reflect::set(&global, &key, &0.into()).unwrap();
        n
    }
}

impl Drop for PollTimers {
    fn drop(&mut self) {
        let _ = self.0.call0(&wasm_bindgen::JsValue::NULL);
    }
}

/// 12 MiB of text that `/sink` acknowledges as `ack:big`.
pub fn big() -> String {
    format!("big|{}", "x".repeat(12 << 20))
}

pub fn is_webkit() -> bool {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap();
    !ua.contains("Chrome") && !ua.contains("Firefox")
}

/// Wait until the probe shows the link open.
pub async fn until_open(root: &Root) {
    root.until(5_000, "open", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;
}

/// The server takes the link of `/echo?tag={t}` down for `down_ms`; once the probe shows
/// it reconnecting, its button sends `outgoing`, which is rendered as queued bytes.
async fn send_while_down(root: &Root, t: &str, down_ms: u32, outgoing: &str) {
    control(&format!("down?ms={down_ms}&tag={t}")).await;
    root.until(5_000, "link down", || {
        root.text(".state").as_deref() == Some("reconnecting")
    })
    .await;
    root.click(".send");
    root.until(2_000, "queued bytes rendered", || {
        root.text(".queued").as_deref() == Some(&outgoing.len().to_string())
    })
    .await;
}

/// Two probes on `/echo?tag={t}` sharing one name (`Builder::share`), sending "from a"
/// and "from b": the server has one connection; each probe's message reaches the server
/// once and is rendered by both probes, in the same order.
pub async fn shared_probes_use_one_connection(a: &Root, b: &Root, t: &str) {
    until_open(a).await;
    until_open(b).await;
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(
        (stats["accepted"].clone(), stats["open"].clone()),
        (1.into(), 1.into()),
        "{stats}"
    );
    a.click(".send");
    for r in [a, b] {
        r.until(3_000, "a's message in both", || r.items() == ["from a"])
            .await;
    }
    b.click(".send");
    for r in [a, b] {
        r.until(3_000, "b's message in both", || {
            r.items() == ["from a", "from b"]
        })
        .await;
    }
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["messages_in"], 2, "each message once: {stats}");
    assert_eq!(stats["accepted"], 1, "{stats}");
}

/// With a burst probe on `/burst?count=100`: all 100 items are rendered, in order, and
/// nothing more.
pub async fn burst_rendered_in_order(root: &Root) {
    root.until(10_000, "100 items rendered", || root.items().len() >= 100)
        .await;
    sleep(100).await; // nothing more may arrive
    let want: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    assert_eq!(root.items(), want);
    assert_eq!(root.text(".state").as_deref(), Some("open"));
}

/// With a probe on `/echo?tag={t}`: the server drops the link; the state goes open →
/// reconnecting → open and the retry count 0 → 1.
pub async fn open_reconnecting_open(root: &Root, t: &str) {
    until_open(root).await;
    assert_eq!(root.text(".ready").as_deref(), Some("1"));
    assert_eq!(root.text(".retry").as_deref(), Some("0"));

    control(&format!("drop?tag={t}")).await;
    let mut seen = vec!["open".to_string()];
    within(10_000, "back to open after the drop", async {
        loop {
            let now = root.text(".state").unwrap_or_default();
            if seen.last() != Some(&now) {
                seen.push(now.clone());
            }
            if seen.len() > 1 && now == "open" {
                break;
            }
            sleep(5).await;
        }
    })
    .await;
    let reconnecting = seen.iter().position(|s| s == "reconnecting");
    assert!(
        reconnecting.is_some(),
        "never rendered reconnecting: {seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("open"), "{seen:?}");
    assert!(
        seen.iter()
            .all(|s| ["open", "reconnecting", "connecting"].contains(&s.as_str())),
        "{seen:?}"
    );
    assert_eq!(root.text(".ready").as_deref(), Some("1"));
    // One retry in this outage (the count resets once the link has been stable for 5 s).
    assert_eq!(root.text(".retry").as_deref(), Some("1"));
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["open"], 1, "{stats}");
}

/// With a probe on `/echo?tag={t}` whose policy resets the retry count once the link has
/// stayed open `stable_ms`: the server drops the link and refuses handshakes for a second,
/// so the probe is open again after a few retries and shows them; once the link has stayed
/// open `stable_ms`, with no transition, it shows 0.
pub async fn retry_count_resets_once_stable(root: &Root, t: &str, stable_ms: u32) {
    until_open(root).await;
    control(&format!("down?ms=1000&tag={t}")).await;
    root.until(5_000, "link down", || {
        root.text(".state").as_deref() == Some("reconnecting")
    })
    .await;
    root.until(10_000, "open again", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;
    let retries = root.text(".retry").unwrap_or_default();
    assert!(
        retries.parse::<u32>().is_ok_and(|n| n >= 2),
        "retry count once open again: {retries:?}"
    );
    within(stable_ms + 2_000, "the retry count reset to 0", async {
        while root.text(".retry").as_deref() != Some("0") {
            assert_eq!(root.text(".state").as_deref(), Some("open"));
            sleep(5).await;
        }
    })
    .await;
    assert_eq!(root.text(".state").as_deref(), Some("open"));
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["open"], 1, "{stats}");
}

/// With a probe on `/echo?tag={t}` sending `outgoing`: a send while the link is down is
/// shown as queued bytes, echoed after the reconnect and rendered exactly once.
pub async fn sent_while_down_arrives_once(root: &Root, t: &str, outgoing: &str) {
    let outgoing = outgoing.to_string();
    until_open(root).await;

    send_while_down(root, t, 500, &outgoing).await;
    root.until(10_000, "echo after reconnect", || {
        root.items().contains(&outgoing)
    })
    .await;
    assert_eq!(root.text(".state").as_deref(), Some("open"));
    root.until(2_000, "queue drained", || {
        root.text(".queued").as_deref() == Some("0")
    })
    .await;
    sleep(300).await;
    let copies = root.items().iter().filter(|l| **l == outgoing).count();
    assert_eq!(copies, 1, "{:?}", root.items());
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["messages_in"], 1, "{stats}");
}

/// With a probe on `/sink?stall_ms=1500` sending [`big`]: `bufferedAmount` is rendered
/// non-zero with poll timers armed (not checked in WebKit), then 0, and the polling stops.
pub async fn buffered_amount_polled_while_draining(root: &Root, poll_ms: u32) {
    until_open(root).await;
    let timers = PollTimers::install(poll_ms);
    root.click(".send");
    let mut peak = 0usize;
    within(20_000, "acked and bufferedAmount back to 0", async {
        loop {
            let buffered: usize = root.text(".buffered").unwrap_or_default().parse().unwrap();
            peak = peak.max(buffered);
            if buffered == 0 && root.items().iter().any(|l| l == "ack:big") {
                break;
            }
            sleep(5).await;
        }
    })
    .await;
    assert_eq!(root.text(".state").as_deref(), Some("open"));
    if !is_webkit() {
        assert!(peak > 0, "bufferedAmount never rendered non-zero");
        assert!(timers.take() > 0, "no poll timer while bytes drained");
    }
    sleep(300).await; // the poll that saw 0 was the last
    timers.take();
    sleep(500).await;
    assert_eq!(timers.take(), 0, "poll timer armed after the bytes drained");
    drop(timers);
}

/// With a probe on `/echo?tag={t}` sending `outgoing`: no poll timer while open and idle,
/// none while the link is down with bytes queued, none once the queue has drained.
pub async fn idle_hook_arms_no_poll_timer(root: &Root, t: &str, outgoing: &str, poll_ms: u32) {
    let outgoing = outgoing.to_string();
    until_open(root).await;
    let timers = PollTimers::install(poll_ms);
    sleep(600).await;
    assert_eq!(timers.take(), 0, "poll timer armed while open and idle");

    send_while_down(root, t, 1500, &outgoing).await;
    timers.take();
    sleep(400).await;
    assert_eq!(
        timers.take(),
        0,
        "poll timer armed while down with bytes queued"
    );

    root.until(10_000, "echo after reconnect", || {
        root.items().contains(&outgoing)
    })
    .await;
    root.until(2_000, "queue drained", || {
        root.text(".queued").as_deref() == Some("0")
    })
    .await;
    sleep(300).await; // a last poll may still be pending as the bytes drain
    timers.take();
    sleep(600).await;
    assert_eq!(timers.take(), 0, "poll timer armed after the queue drained");
    drop(timers);
}

/// The mounted probe is open, with a socket more than `before` had.
pub async fn open_with_a_socket(root: &Root, before: &resocket::Diagnostics) {
    until_open(root).await;
    assert!(resocket::diagnostics().live_sockets > before.live_sockets);
}

/// After the probe on `/echo?tag={t}` is unmounted: it leaves the DOM, the server sees no
/// open connection and one close with code 1000, resocket's live listeners, timers and
/// sockets are back at `before`, and no callback runs any more.
pub async fn unmounted_and_freed(root: &Root, t: &str, before: &resocket::Diagnostics) {
    root.until(2_000, "component removed", || root.text(".state").is_none())
        .await;
    within(5_000, "server sees the close", async {
        loop {
            let stats = control(&format!("stats?tag={t}")).await;
            let closes = stats["closes"].as_array().cloned().unwrap_or_default();
            if stats["open"] == 0 && !closes.is_empty() {
                assert_eq!(closes.len(), 1, "{stats}");
                assert_eq!(closes[0]["code"], 1000, "{stats}");
                break;
            }
            sleep(20).await;
        }
    })
    .await;
    sleep(50).await;
    let after = resocket::diagnostics();
    assert_eq!(after.live_listeners, before.live_listeners, "{after:?}");
    assert_eq!(after.live_timers, before.live_timers, "{after:?}");
    assert_eq!(after.live_sockets, before.live_sockets, "{after:?}");
    let quiet = after.callbacks_run;
    sleep(300).await;
    assert_eq!(
        resocket::diagnostics().callbacks_run,
        quiet,
        "a callback ran"
    );
}

/// With a delivery probe on `/echo` (`.track` sends the next `{"id":n}` with the sender's
/// `send_acked` and logs `delivered:n` when it resolves; `.ackall` sends a plain
/// `{"ackThrough":1000}`, which the echo turns into an acknowledgement of all of them):
/// the unacknowledged count is rendered as the messages go out ("sent"), then 0 once the
/// acknowledgement arrives, and each message is "delivered". The acknowledgement itself
/// never reaches `on_message`.
pub async fn unacked_then_delivered(root: &Root) {
    until_open(root).await;
    assert_eq!(root.text(".unacked").as_deref(), Some("0"));
    root.click(".track");
    root.click(".track");
    root.until(5_000, "two unacknowledged rendered", || {
        root.text(".unacked").as_deref() == Some("2")
    })
    .await;
    // Their echoes carry no acknowledgement: they are ordinary messages.
    root.until(5_000, "echoes", || root.items().len() == 2)
        .await;
    assert_eq!(root.items(), [r#"{"id":1}"#, r#"{"id":2}"#]);
    assert_eq!(
        root.text(".unacked").as_deref(),
        Some("2"),
        "still not acknowledged"
    );
    root.click(".ackall");
    root.until(5_000, "acknowledged", || {
        root.text(".unacked").as_deref() == Some("0") && root.items().len() == 4
    })
    .await;
    assert_eq!(
        root.items(),
        [r#"{"id":1}"#, r#"{"id":2}"#, "delivered:1", "delivered:2"]
    );
}
