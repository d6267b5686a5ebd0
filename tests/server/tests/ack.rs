//! Tests of acknowledged delivery: the `/ack` endpoint, its stats, and `/chat`'s acks.

mod common;

use common::{quiet, recv, recv_text, start, Client, Server, WAIT};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::time::{timeout, Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

async fn send(c: &mut Client, v: Value) {
    c.send(Message::text(v.to_string())).await.unwrap();
}

async fn recv_json(c: &mut Client) -> Value {
    let text = recv_text(c).await;
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

#[tokio::test]
async fn acks_each_tracked_message_with_its_id() {
    let s = start().await;
    let mut c = s.ws("/ack?tag=e").await;
    send(&mut c, json!({ "id": 1, "body": "a" })).await;
    send(&mut c, json!({ "id": "x-2" })).await;
    c.send(Message::text("plain")).await.unwrap();
    send(&mut c, json!({ "noid": 3 })).await;
    send(&mut c, json!({ "id": -4 })).await;
    c.send(Message::binary(br#"{"id":5}"#.to_vec()))
        .await
        .unwrap();
    send(&mut c, json!({ "id": 0 })).await;
    assert_eq!(recv_json(&mut c).await, json!({ "ack": 1 }));
    assert_eq!(recv_json(&mut c).await, json!({ "ack": "x-2" }));
    assert_eq!(recv_json(&mut c).await, json!({ "ack": 0 }));
    quiet(&mut c, 100).await;
    let v = s.control("stats?tag=e").await;
    assert_eq!(v["ack_received"], 3);
    assert_eq!(v["ack_ids"], 3);
    assert_eq!(v["ack_connections"], 1);
    assert_eq!(v["messages_in"], 7);
}

#[tokio::test]
async fn answers_requests_with_the_request_echoed() {
    let s = start().await;
    let mut c = s.ws("/ack").await;
    let request = json!({ "q": [1, "two", null], "n": 1.5 });
    send(&mut c, json!({ "id": 5, "request": request })).await;
    let want = json!({ "ack": 5, "response": request });
    assert_eq!(recv_json(&mut c).await, want);
    send(&mut c, json!({ "id": "r", "request": null })).await;
    let want = json!({ "ack": "r", "response": null });
    assert_eq!(recv_json(&mut c).await, want);
}

#[tokio::test]
async fn through_mode_acknowledges_cumulatively_and_the_tail_after_quiet() {
    let s = start().await;
    let mut c = s.ws("/ack?mode=through&every=3").await;
    for id in 1..=7 {
        let msg = json!({ "id": id }).to_string();
        c.feed(Message::text(msg)).await.unwrap();
    }
    c.flush().await.unwrap();
    let started = Instant::now();
    assert_eq!(recv_json(&mut c).await, json!({ "ackThrough": 3 }));
    assert_eq!(recv_json(&mut c).await, json!({ "ackThrough": 6 }));
    assert_eq!(recv_json(&mut c).await, json!({ "ackThrough": 7 }));
    assert!(started.elapsed() >= Duration::from_millis(15));
    quiet(&mut c, 100).await;
    // String ids get their own ack; a request gets its response and counts toward `every`.
    send(&mut c, json!({ "id": "s" })).await;
    assert_eq!(recv_json(&mut c).await, json!({ "ack": "s" }));
    send(&mut c, json!({ "id": 9, "request": 1 })).await;
    let want = json!({ "ack": 9, "response": 1 });
    assert_eq!(recv_json(&mut c).await, want);
    assert_eq!(recv_json(&mut c).await, json!({ "ackThrough": 9 }));
}

#[tokio::test]
async fn silent_records_but_never_acknowledges() {
    let s = start().await;
    let mut c = s.ws("/ack?silent=1&tag=q").await;
    for id in [1, 2, 2] {
        send(&mut c, json!({ "id": id, "request": "r" })).await;
    }
    c.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "pong");
    quiet(&mut c, 200).await;
    let v = s.control("stats?tag=q").await;
    assert_eq!(
        (&v["ack_received"], &v["ack_ids"], &v["ack_duplicates"]),
        (&json!(3), &json!(2), &json!(1))
    );
}

#[tokio::test]
async fn delay_holds_each_ack_without_blocking_reads() {
    let s = start().await;
    let mut c = s.ws("/ack?delay_ms=200").await;
    let started = Instant::now();
    send(&mut c, json!({ "id": 1 })).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    send(&mut c, json!({ "id": 2 })).await;
    assert_eq!(recv_json(&mut c).await, json!({ "ack": 1 }));
    assert!(started.elapsed() >= Duration::from_millis(195));
    assert_eq!(recv_json(&mut c).await, json!({ "ack": 2 }));
    let both = started.elapsed();
    assert!(both >= Duration::from_millis(245), "{both:?}");
    assert!(
        both < Duration::from_millis(390),
        "acks were serialized: {both:?}"
    );
}

/// The frames `hostile=1` sends before each real acknowledgement.
const HOSTILE: [&str; 10] = [
    "not json {",
    r#"{"ack":"nope"}"#,
    r#"{"ack":-1}"#,
    r#"{"ack":1e300}"#,
    r#"{"ack":1.5}"#,
    r#"{"ack":null}"#,
    r#"{"ack":999999999}"#,
    r#"{"ackThrough":-1}"#,
    r#"{"ackThrough":"nope"}"#,
    r#"{"ackThrough":1e300}"#,
];

#[tokio::test]
async fn hostile_sends_garbage_before_each_real_ack() {
    let s = start().await;
    let mut c = s.ws("/ack?hostile=1").await;
    for id in [1, 2] {
        send(&mut c, json!({ "id": id })).await;
        for want in HOSTILE {
            assert_eq!(recv_text(&mut c).await, want);
        }
        assert_eq!(recv_json(&mut c).await, json!({ "ack": id }));
    }
    let mut t = s.ws("/ack?hostile=1&mode=through&every=2").await;
    // Both in one write, so the quiet timer cannot split them.
    t.feed(Message::text(r#"{"id":1}"#)).await.unwrap();
    t.send(Message::text(r#"{"id":2}"#)).await.unwrap();
    for want in HOSTILE {
        assert_eq!(recv_text(&mut t).await, want);
    }
    assert_eq!(recv_json(&mut t).await, json!({ "ackThrough": 2 }));
    quiet(&mut c, 50).await;
}

/// What one send on a dropping endpoint led to.
enum Outcome {
    Acked,
    Dropped,
}

async fn send_and_wait(c: &mut Client, id: u64) -> Outcome {
    send(c, json!({ "id": id })).await;
    loop {
        match timeout(WAIT, c.next()).await.expect("no ack and no drop") {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                assert_eq!(v, json!({ "ack": id }));
                return Outcome::Acked;
            }
            Some(Ok(Message::Close(f))) => panic!("close frame {f:?}, expected a drop"),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Outcome::Dropped,
        }
    }
}

/// Sends ids `1..=last` one at a time, resending an id whose link dropped on a new link;
/// returns the tag-wide counts of the messages the links dropped on.
async fn deliver_all(s: &Server, path: &str, last: u64) -> Vec<u64> {
    let mut c = s.ws(path).await;
    let (mut sent, mut drops) = (0, Vec::new());
    let mut id = 1;
    while id <= last {
        sent += 1;
        match send_and_wait(&mut c, id).await {
            Outcome::Acked => id += 1,
            Outcome::Dropped => {
                drops.push(sent);
                c = s.ws(path).await;
            }
        }
    }
    drops
}

#[tokio::test]
async fn drops_happen_at_seeded_points_and_stats_count_them() {
    let s = start().await;
    let path = "/ack?tag=d&drops=3&seed=9&span=20";
    let drops = deliver_all(&s, path, 70).await;
    assert_eq!(drops.len(), 3, "{drops:?}");
    assert!(drops[0] >= 1 && drops.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 20));
    let v = s.control("stats?tag=d").await;
    assert_eq!(v["ack_drop_at"], json!(drops));
    assert_eq!(v["ack_drops"], 3);
    // Each dropped message was recorded, so its resend is a duplicate.
    assert_eq!(v["ack_duplicates"], 3);
    assert_eq!(v["ack_received"], 73);
    assert_eq!(v["ack_ids"], 70);
    assert_eq!(v["ack_connections"], 4);
    assert_eq!(v["accepted"], 4);
    assert_eq!(v["ack_ids_full"], false);
    let report = s.control("ackstats?tag=d&expect=75").await;
    let want = json!({
        "expect": 75, "missing_count": 5, "missing": [71, 72, 73, 74, 75], "unexpected": 0,
        "ids": 70, "received": 73, "duplicates": 3, "drops": 3, "full": false,
    });
    assert_eq!(report, want);
    // The same seed on another tag drops at the same points; another seed elsewhere.
    let again = deliver_all(&s, "/ack?tag=d2&drops=3&seed=9&span=20", 70).await;
    assert_eq!(again, drops);
    let other = deliver_all(&s, "/ack?tag=d3&drops=3&seed=10&span=20", 70).await;
    assert_ne!(other, drops);
    // No more drops once the schedule is spent; reset starts a new one.
    assert_eq!(deliver_all(&s, path, 10).await, Vec::<u64>::new());
    s.control("reset?tag=d").await;
    let v = s.control("stats?tag=d").await;
    assert_eq!(
        (&v["ack_received"], &v["ack_drop_at"]),
        (&json!(0), &json!([]))
    );
    assert_eq!(deliver_all(&s, path, 70).await, drops);
}

#[tokio::test]
async fn a_burst_sees_every_drop() {
    let s = start().await;
    let path = "/ack?tag=b&drops=4&seed=3&span=300";
    let mut c = s.ws(path).await;
    let mut links = 1;
    let (mut next, last) = (1u64, 3000u64);
    let mut acked = 0u64;
    // Send in chunks; after a drop, resend everything not yet acknowledged.
    while acked < last {
        let upto = (next + 199).min(last);
        for id in next..=upto {
            c.feed(Message::text(json!({ "id": id }).to_string()))
                .await
                .unwrap();
        }
        let _ = c.flush().await;
        let mut dropped = false;
        while acked < upto {
            match timeout(WAIT, c.next()).await.expect("stalled") {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    assert_eq!(v["ack"], acked + 1, "acks in order");
                    acked += 1;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    dropped = true;
                    break;
                }
            }
        }
        next = if dropped { acked + 1 } else { upto + 1 };
        if dropped {
            c = s.ws(path).await;
            links += 1;
        }
    }
    assert_eq!(links, 5);
    let v = s.control("stats?tag=b").await;
    assert_eq!((&v["ack_drops"], &v["ack_ids"]), (&json!(4), &json!(last)));
    let report = s.control("ackstats?tag=b&expect=3000").await;
    assert_eq!(
        (&report["missing_count"], &report["missing"]),
        (&json!(0), &json!([]))
    );
    let received = v["ack_received"].as_u64().unwrap();
    assert_eq!(v["ack_duplicates"].as_u64().unwrap(), received - last);
}

#[tokio::test]
async fn stats_have_ack_fields_and_ackstats_lists_at_most_100_missing() {
    let s = start().await;
    let v = s.control("stats").await;
    for (key, want) in [
        ("ack_connections", json!(0)),
        ("ack_received", json!(0)),
        ("ack_ids", json!(0)),
        ("ack_duplicates", json!(0)),
        ("ack_drops", json!(0)),
        ("ack_drop_at", json!([])),
        ("ack_ids_full", json!(false)),
    ] {
        assert_eq!(v[key], want, "{key}");
    }
    let mut c = s.ws("/ack?tag=m").await;
    for id in [2, 500, 9999, 0] {
        send(&mut c, json!({ "id": id })).await;
        recv(&mut c).await;
    }
    send(&mut c, json!({ "id": "str" })).await;
    recv(&mut c).await;
    let r = s.control("ackstats?tag=m&expect=1000").await;
    assert_eq!(r["missing_count"], 998);
    let missing = r["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 100);
    assert_eq!(
        (&missing[0], &missing[1], &missing[99]),
        (&json!(1), &json!(3), &json!(101))
    );
    assert_eq!(r["unexpected"], 3);
    assert_eq!(
        s.control("ackstats?expect=99999999999").await["expect"],
        1_000_000
    );
}

#[tokio::test]
async fn chat_acks_tracked_messages_to_the_sender_only() {
    let s = start().await;
    let mut a = s.ws("/chat?room=acks").await;
    let mut b = s.ws("/chat?room=acks").await;
    s.wait_stats("", |v| v["open"] == 2).await;
    let msg = json!({ "id": 7, "text": "hi" }).to_string();
    a.send(Message::text(msg.clone())).await.unwrap();
    assert_eq!(recv_text(&mut a).await, msg);
    assert_eq!(recv_json(&mut a).await, json!({ "ack": 7 }));
    assert_eq!(recv_text(&mut b).await, msg);
    let msg = json!({ "id": "q", "request": 1 }).to_string();
    b.send(Message::text(msg.clone())).await.unwrap();
    assert_eq!(recv_text(&mut b).await, msg);
    assert_eq!(recv_json(&mut b).await, json!({ "ack": "q" }));
    assert_eq!(recv_text(&mut a).await, msg);
    b.send(Message::text(r#"{"text":"no id"}"#)).await.unwrap();
    assert_eq!(recv_text(&mut a).await, r#"{"text":"no id"}"#);
    assert_eq!(recv_text(&mut b).await, r#"{"text":"no id"}"#);
    quiet(&mut a, 150).await;
    quiet(&mut b, 50).await;
}
