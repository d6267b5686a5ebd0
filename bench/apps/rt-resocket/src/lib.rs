//! The resocket Rust-API side of the browser benchmarks. Every export is one timed batch:
//! the page calls it once per run and gets the figures back; every loop ends on a count,
//! and the whole batch on `limit_ms` (then it rejects).
use std::future::Future;

use futures_util::future::{self, Either};
use futures_util::StreamExt;
use js_sys::{Array, Float64Array, Function, Promise};
use resocket::codec::{JsJson, Json};
use resocket::{Codec, ConnectionState, Message, ReconnectPolicy, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now() -> f64;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: f64) -> f64;
}

/// `/burst` messages: `{"seq":i,"pad":"x…"}`.
#[derive(Serialize, Deserialize)]
pub struct Burst {
    seq: u64,
    pad: String,
}

/// The larger B6 shape (~110 bytes of JSON).
#[derive(Serialize, Deserialize)]
pub struct Chat {
    #[serde(rename = "type")]
    kind: String,
    room: String,
    from: String,
    text: String,
    ts: u64,
    tags: Vec<String>,
}

fn js_err(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}

async fn sleep(ms: f64) {
    let p = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(p).await;
}

/// Run `work`, or reject after `limit_ms`.
async fn limited<T>(
    limit_ms: f64,
    work: impl Future<Output = Result<T, JsValue>>,
) -> Result<T, JsValue> {
    let work = Box::pin(work);
    let timer = Box::pin(sleep(limit_ms));
    match future::select(work, timer).await {
        Either::Left((r, _)) => r,
        Either::Right(_) => Err(JsValue::from_str("time limit reached")),
    }
}

fn figures(v: &[f64]) -> JsValue {
    Float64Array::from(v).into()
}

/// B2: read `count` messages of `/burst` decoded to [`Burst`] by the Json codec.
/// Returns `[ms from first to last message, messages, sum of seq]`.
#[wasm_bindgen]
pub async fn recv_burst(url: String, count: u32, limit_ms: f64) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut socket = Socket::builder(url)
            .codec(Json::<Burst>::new())
            .connect()
            .await
            .map_err(js_err)?;
        let (mut first, mut n, mut sum) = (0.0, 0u32, 0u64);
        while n < count {
            match socket.next().await {
                Some(Ok(b)) => {
                    if n == 0 {
                        first = now();
                    }
                    n += 1;
                    sum += b.seq + b.pad.len() as u64;
                }
                Some(Err(e)) => return Err(js_err(e)),
                None => break,
            }
        }
        let last = now();
        Ok(figures(&[last - first, f64::from(n), sum as f64]))
    })
    .await
}

/// B3: `batches` batches of `per_batch` sequential `ping` → `pong` round trips.
/// Returns the mean round trip of each batch, in microseconds.
#[wasm_bindgen]
pub async fn rtt(
    url: String,
    batches: u32,
    per_batch: u32,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut socket = Socket::connect(&url).await.map_err(js_err)?;
        let pong = Message::Text("pong".into());
        let mut out = Vec::with_capacity(batches as usize);
        for b in 0..=batches {
            let t0 = now();
            for _ in 0..per_batch {
                socket
                    .send_message(Message::Text("ping".into()))
                    .await
                    .map_err(js_err)?;
                loop {
                    match socket.next().await {
                        Some(Ok(m)) if m == pong => break,
                        Some(_) => {}
                        None => return Err(js_err("closed")),
                    }
                }
            }
            // batch 0 warms up
            if b > 0 {
                out.push((now() - t0) * 1000.0 / f64::from(per_batch));
            }
        }
        Ok(figures(&out))
    })
    .await
}

fn frame(template: &[u8], id: u32) -> Message {
    let mut v = template.to_vec();
    v[..4].copy_from_slice(&id.to_le_bytes());
    Message::Binary(v)
}

/// B4 send / B5: `count` binary messages of `size` bytes through `send().await` (the
/// backpressure gate) to a `/sink` URL, until the server acknowledged the last one.
/// Returns `[ms from first send to last ack, acks]`.
#[wasm_bindgen]
pub async fn bin_send(
    url: String,
    size: u32,
    count: u32,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut socket = Socket::connect(&url).await.map_err(js_err)?;
        let sender = socket.sender();
        let template = vec![7u8; size.max(4) as usize];
        let t0 = now();
        let send = async {
            for id in 0..count {
                sender.send(frame(&template, id)).await.map_err(js_err)?;
            }
            Ok::<(), JsValue>(())
        };
        let want = format!("ack:{}", count - 1);
        let recv = async {
            let mut acks = 0u32;
            while let Some(item) = socket.next().await {
                if let Ok(Message::Text(t)) = item {
                    acks += 1;
                    if t == want {
                        break;
                    }
                }
            }
            acks
        };
        let (sent, acks) = future::join(send, recv).await;
        sent?;
        Ok(figures(&[now() - t0, f64::from(acks)]))
    })
    .await
}

/// B4 echo: `count` binary messages of `size` bytes to `/echo` (gated sends) while
/// reading the echoes. Returns `[ms from first send to last echo, bytes received]`.
#[wasm_bindgen]
pub async fn bin_echo(
    url: String,
    size: u32,
    count: u32,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut socket = Socket::connect(&url).await.map_err(js_err)?;
        let sender = socket.sender();
        let template = vec![7u8; size.max(4) as usize];
        let t0 = now();
        let send = async {
            for id in 0..count {
                sender.send(frame(&template, id)).await.map_err(js_err)?;
            }
            Ok::<(), JsValue>(())
        };
        let recv = async {
            let (mut n, mut bytes) = (0u32, 0f64);
            while n < count {
                match socket.next().await {
                    Some(Ok(Message::Binary(b))) => {
                        n += 1;
                        bytes += b.len() as f64;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            bytes
        };
        let (sent, bytes) = future::join(send, recv).await;
        sent?;
        Ok(figures(&[now() - t0, bytes]))
    })
    .await
}

/// B6 decode: each string of `input` as an inbound text frame decoded by the Json codec
/// (the copy into wasm included, as on the socket's path). `shape` 0 = Burst, 1 = Chat.
/// Returns a checksum.
#[wasm_bindgen]
pub fn decode_batch(input: &Array, shape: u32) -> f64 {
    let mut sum = 0u64;
    for v in input.iter() {
        let frame = Message::Text(v.as_string().unwrap_or_default());
        sum += match shape {
            0 => Json::<Burst>::new().decode(frame).map_or(0, |b| b.seq),
            _ => Json::<Chat>::new().decode(frame).map_or(0, |c| c.ts),
        };
    }
    sum as f64
}

fn burst(i: u64) -> Burst {
    Burst {
        seq: 10_000 + i,
        pad: "xxxxxxxxx".into(),
    }
}

fn chat(i: u64) -> Chat {
    Chat {
        kind: "chat".into(),
        room: "lobby".into(),
        from: "ann".into(),
        text: "hello there, how is it going today?".into(),
        ts: 1_732_250_000_000 + i,
        tags: vec!["a".into(), "b".into()],
    }
}

/// B6 encode: the Json codec turns one prepared value into a text frame `n` times and the
/// frame becomes a JS string (what `WebSocket.send` gets). Returns the total length.
#[wasm_bindgen]
pub fn encode_batch(n: u32, shape: u32) -> f64 {
    let (b, c) = (burst(1), chat(1));
    let mut len = 0usize;
    for _ in 0..n {
        let frame = match shape {
            0 => Json::<Burst>::new().encode(&b),
            _ => Json::<Chat>::new().encode(&c),
        };
        if let Ok(Message::Text(s)) = frame {
            let js = JsValue::from_str(&s);
            len += s.len();
            drop(std::hint::black_box(js));
        }
    }
    len as f64
}

/// B6 decode with the JsJson codec (`JSON.parse` + serde-wasm-bindgen), on the socket's
/// path like [`decode_batch`]: each string copied into wasm, then decoded. Returns a checksum.
#[wasm_bindgen]
pub fn decode_batch_js(input: &Array, shape: u32) -> f64 {
    let mut sum = 0u64;
    for v in input.iter() {
        let frame = Message::Text(v.as_string().unwrap_or_default());
        sum += match shape {
            0 => JsJson::<Burst>::new().decode(frame).map_or(0, |b| b.seq),
            _ => JsJson::<Chat>::new().decode(frame).map_or(0, |c| c.ts),
        };
    }
    sum as f64
}

/// B6 encode with the JsJson codec, like [`encode_batch`]: the frame becomes a JS string.
#[wasm_bindgen]
pub fn encode_batch_js(n: u32, shape: u32) -> f64 {
    let (b, c) = (burst(1), chat(1));
    let mut len = 0usize;
    for _ in 0..n {
        let frame = match shape {
            0 => JsJson::<Burst>::new().encode(&b),
            _ => JsJson::<Chat>::new().encode(&c),
        };
        if let Ok(Message::Text(s)) = frame {
            let js = JsValue::from_str(&s);
            len += s.len();
            drop(std::hint::black_box(js));
        }
    }
    len as f64
}

/// B6, inside wasm only: decode strings already in wasm memory (no boundary crossing).
#[wasm_bindgen]
pub fn decode_batch_inner(input: &Array, shape: u32) -> f64 {
    let frames: Vec<String> = input
        .iter()
        .map(|v| v.as_string().unwrap_or_default())
        .collect();
    let t0 = now();
    let mut sum = 0u64;
    for s in frames {
        let frame = Message::Text(s);
        sum += match shape {
            0 => Json::<Burst>::new().decode(frame).map_or(0, |b| b.seq),
            _ => Json::<Chat>::new().decode(frame).map_or(0, |c| c.ts),
        };
    }
    let ms = now() - t0;
    std::hint::black_box(sum);
    ms
}

/// B6 encode, inside wasm only (no JS string made). Returns elapsed ms.
#[wasm_bindgen]
pub fn encode_batch_inner(n: u32, shape: u32) -> f64 {
    let (b, c) = (burst(1), chat(1));
    let t0 = now();
    let mut len = 0usize;
    for _ in 0..n {
        let frame = match shape {
            0 => Json::<Burst>::new().encode(&b),
            _ => Json::<Chat>::new().encode(&c),
        };
        len += frame.map_or(0, |m| m.len());
    }
    let ms = now() - t0;
    std::hint::black_box(len);
    ms
}

/// B7, Rust face: `cycles` times open a socket on `url` (an `/echo?tag=T`), drop it from
/// the server with `drop_url`, queue `queued` messages while it is down, and wait until
/// it is open again and every queued message came back.
/// Returns per cycle `[ms close→retry(state Connecting), ms close→open, lost, duplicated]`.
#[wasm_bindgen]
pub async fn reconnect(
    url: String,
    drop_url: String,
    cycles: u32,
    queued: u32,
    jitter: bool,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut out = Vec::new();
        for c in 0..cycles {
            let policy = ReconnectPolicy::default().jitter(jitter);
            let mut socket = Socket::builder(url.clone())
                .reconnect(policy)
                .connect()
                .await
                .map_err(js_err)?;
            let mut states = socket.states();
            while let Some(s) = states.next().await {
                if s == ConnectionState::Open {
                    break;
                }
            }
            drop_link(&drop_url).await?;
            // Down: wait for Reconnecting, then queue.
            let mut t_close = 0.0;
            while let Some(s) = states.next().await {
                if matches!(s, ConnectionState::Reconnecting { .. }) {
                    t_close = now();
                    break;
                }
            }
            for i in 0..queued {
                let m = Message::Text(format!("q|{c}|{i}"));
                socket.send_message(m).await.map_err(js_err)?;
            }
            let mut t_retry = f64::NAN;
            let mut t_open = f64::NAN;
            while let Some(s) = states.next().await {
                match s {
                    ConnectionState::Connecting { .. } if t_retry.is_nan() => t_retry = now(),
                    ConnectionState::Open => {
                        t_open = now();
                        break;
                    }
                    _ => {}
                }
            }
            let mut seen = vec![0u32; queued as usize];
            let mut got = 0;
            let deadline = now() + 3000.0;
            while got < queued && now() < deadline {
                let next = Box::pin(socket.next());
                match future::select(next, Box::pin(sleep(deadline - now()))).await {
                    Either::Left((Some(Ok(Message::Text(t))), _)) => {
                        if let Some(i) = t.rsplit('|').next().and_then(|s| s.parse::<usize>().ok())
                        {
                            if i < seen.len() {
                                seen[i] += 1;
                                got += 1;
                            }
                        }
                    }
                    Either::Left((Some(_), _)) => {}
                    _ => break,
                }
            }
            let lost = seen.iter().filter(|&&n| n == 0).count() as f64;
            let dup = seen.iter().map(|&n| n.saturating_sub(1)).sum::<u32>() as f64;
            out.extend_from_slice(&[t_retry - t_close, t_open - t_close, lost, dup]);
            let _ = socket.close(1000, "");
        }
        Ok(figures(&out))
    })
    .await
}

/// Ask the server to drop the tagged connection, again until it found one: the client
/// may see `open` a moment before the server registered the connection.
async fn drop_link(drop_url: &str) -> Result<(), JsValue> {
    let fetch = global_fetch();
    for _ in 0..100 {
        let resp = JsFuture::from(
            fetch
                .call1(&JsValue::NULL, &JsValue::from_str(drop_url))?
                .dyn_into::<Promise>()?,
        )
        .await?;
        let json: Function = js_sys::Reflect::get(&resp, &"json".into())?.dyn_into()?;
        let body = JsFuture::from(json.call0(&resp)?.dyn_into::<Promise>()?).await?;
        let dropped = js_sys::Reflect::get(&body, &"dropped".into())?;
        if dropped.as_f64().unwrap_or(0.0) > 0.0 {
            return Ok(());
        }
        sleep(10.0).await;
    }
    Err(js_err("the server found no connection to drop"))
}

fn global_fetch() -> Function {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .unwrap_or_else(|| Function::new_no_args(""))
}

/// B9, Rust face: send `count` messages `{"id":i,"pad":"x…"}` to `url` (an `/ack`
/// endpoint) with `send().await`; with `acked`, under acknowledged delivery
/// (`Delivery::json()`, a window of `window` messages) until nothing is unacknowledged;
/// without, until `count` acknowledgements arrived as messages, or nothing came for 1.5 s.
/// Returns `[ms from the first send to the last acknowledgement, acknowledged]`.
#[wasm_bindgen]
pub async fn delivery(
    url: String,
    count: u32,
    pad: u32,
    window: u32,
    acked: bool,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    use resocket::{Delivery, WindowConfig};
    use std::cell::Cell;
    limited(limit_ms, async move {
        let policy = ReconnectPolicy::default()
            .initial_delay_ms(100)
            .max_delay_ms(1000)
            .stable_after_ms(200);
        let mut builder = Socket::builder(url).reconnect(policy);
        if acked {
            let w = WindowConfig::default().max_messages(window as usize);
            builder = builder.delivery(Delivery::json().window(w));
        }
        let mut socket = builder.connect().await.map_err(js_err)?;
        let sender = socket.sender();
        let pad = "x".repeat(pad as usize);
        let all_sent = Cell::new(false);
        let t0 = now();
        let send = async {
            for i in 1..=count {
                let m = Message::Text(format!("{{\"id\":{i},\"pad\":\"{pad}\"}}"));
                sender.send_message(m).await.map_err(js_err)?;
            }
            all_sent.set(true);
            Ok::<(), JsValue>(())
        };
        let (sent, (got, last)) = if acked {
            let settled = async {
                while !(all_sent.get() && sender.unacked() == 0) {
                    sleep(1.0).await;
                }
                (count, now())
            };
            future::join(send, settled).await
        } else {
            // The acknowledgements arrive as messages: count them.
            let read = async {
                let (mut n, mut last) = (0, now());
                while n < count {
                    let next = Box::pin(socket.next());
                    match future::select(next, Box::pin(sleep(1500.0))).await {
                        Either::Left((Some(Ok(_)), _)) => {
                            n += 1;
                            last = now();
                        }
                        Either::Left((Some(Err(_)), _)) => {}
                        Either::Left((None, _)) => break,
                        Either::Right(_) if all_sent.get() => break,
                        Either::Right(_) => {}
                    }
                }
                (n, last)
            };
            future::join(send, read).await
        };
        sent?;
        Ok(figures(&[last - t0, f64::from(got)]))
    })
    .await
}
