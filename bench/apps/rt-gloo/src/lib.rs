//! gloo-net baselines: the same batches as rt-resocket, on gloo-net's WebSocket (no
//! reconnection, no queue, no backpressure: its sink hands every message to the browser).
use std::future::Future;

use futures_util::future::{self, Either};
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message};
use js_sys::{Float64Array, Function, Promise};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now() -> f64;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: f64) -> f64;
}

#[derive(Deserialize)]
struct Burst {
    seq: u64,
    pad: String,
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

async fn limited<T>(
    limit_ms: f64,
    work: impl Future<Output = Result<T, JsValue>>,
) -> Result<T, JsValue> {
    match future::select(Box::pin(work), Box::pin(sleep(limit_ms))).await {
        Either::Left((r, _)) => r,
        Either::Right(_) => Err(JsValue::from_str("time limit reached")),
    }
}

fn figures(v: &[f64]) -> JsValue {
    Float64Array::from(v).into()
}

/// B2: `[ms first→last, messages, sum of seq]`, each text frame decoded with serde_json.
#[wasm_bindgen]
pub async fn recv_burst(url: String, count: u32, limit_ms: f64) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut ws = WebSocket::open(&url).map_err(js_err)?;
        let (mut first, mut n, mut sum) = (0.0, 0u32, 0u64);
        while n < count {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    let b: Burst = serde_json::from_str(&t).map_err(js_err)?;
                    if n == 0 {
                        first = now();
                    }
                    n += 1;
                    sum += b.seq + b.pad.len() as u64;
                }
                Some(Ok(Message::Bytes(_))) => {}
                Some(Err(e)) => return Err(js_err(e)),
                None => break,
            }
        }
        let last = now();
        Ok(figures(&[last - first, f64::from(n), sum as f64]))
    })
    .await
}

/// B3: mean round trip of each batch of `per_batch` ping → pong, in microseconds.
#[wasm_bindgen]
pub async fn rtt(
    url: String,
    batches: u32,
    per_batch: u32,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let mut ws = WebSocket::open(&url).map_err(js_err)?;
        let mut out = Vec::with_capacity(batches as usize);
        for b in 0..=batches {
            let t0 = now();
            for _ in 0..per_batch {
                ws.send(Message::Text("ping".into()))
                    .await
                    .map_err(js_err)?;
                loop {
                    match ws.next().await {
                        Some(Ok(Message::Text(t))) if t == "pong" => break,
                        Some(Ok(_)) => {}
                        _ => return Err(js_err("closed")),
                    }
                }
            }
            if b > 0 {
                out.push((now() - t0) * 1000.0 / f64::from(per_batch));
            }
        }
        Ok(figures(&out))
    })
    .await
}

/// B5 (and a B4-style send): `count` binary messages of `size` bytes into a `/sink` URL
/// with no gating, until the last ack. Returns `[ms first send → last ack, acks]`.
#[wasm_bindgen]
pub async fn bin_send(
    url: String,
    size: u32,
    count: u32,
    limit_ms: f64,
) -> Result<JsValue, JsValue> {
    limited(limit_ms, async move {
        let ws = WebSocket::open(&url).map_err(js_err)?;
        let (mut tx, mut rx) = ws.split();
        let template = vec![7u8; size.max(4) as usize];
        let t0 = now();
        let send = async {
            for id in 0..count {
                let mut v = template.clone();
                v[..4].copy_from_slice(&id.to_le_bytes());
                tx.send(Message::Bytes(v)).await.map_err(js_err)?;
            }
            Ok::<(), JsValue>(())
        };
        let want = format!("ack:{}", count - 1);
        let recv = async {
            let mut acks = 0u32;
            while let Some(Ok(m)) = rx.next().await {
                if let Message::Text(t) = m {
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
