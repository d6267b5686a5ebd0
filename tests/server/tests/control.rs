//! Tests of the `/control/*` fault-injection and stats endpoints.

mod common;

use common::{end, quiet, recv_text, start, End};
use futures_util::SinkExt;
use serde_json::json;
use tokio::time::{sleep, Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

#[tokio::test]
async fn drop_ends_without_close_frame() {
    let s = start().await;
    let mut hit = s.ws("/echo?tag=a").await;
    let mut other = s.ws("/echo?tag=b").await;
    s.wait_stats("", |v| v["open"] == 2).await;
    assert_eq!(s.control("drop?tag=a").await, json!({ "dropped": 1 }));
    assert!(matches!(end(&mut hit).await, End::Abrupt));
    other.send(Message::text("still")).await.unwrap();
    assert_eq!(recv_text(&mut other).await, "still");
    assert_eq!(s.control("drop").await, json!({ "dropped": 1 }));
    assert!(matches!(end(&mut other).await, End::Abrupt));
}

#[tokio::test]
async fn kill_sends_close_code() {
    let s = start().await;
    let mut c = s.ws("/echo?tag=k").await;
    s.wait_stats("?tag=k", |v| v["open"] == 1).await;
    let reply = s.control("kill?tag=k&code=4002&reason=go%20away").await;
    assert_eq!(reply, json!({ "killed": 1 }));
    match end(&mut c).await {
        End::Close(Some((code, reason))) => assert_eq!((code, reason.as_str()), (4002, "go away")),
        other => panic!("unexpected end {other:?}"),
    }
    let mut d = s.ws("/silent").await;
    s.wait_stats("", |v| v["open"] == 1).await;
    assert_eq!(s.control("kill").await, json!({ "killed": 1 }));
    assert!(matches!(end(&mut d).await, End::Close(Some((1001, _)))));
}

#[tokio::test]
async fn down_refuses_then_recovers() {
    let s = start().await;
    let mut live = s.ws("/echo?tag=d").await;
    s.wait_stats("", |v| v["open"] == 1).await;
    let reply = s.control("down?tag=d&ms=400").await;
    assert_eq!(reply["down_ms"], 400);
    assert!(matches!(end(&mut live).await, End::Abrupt));
    let started = Instant::now();
    assert!(s.try_ws("/echo?tag=d").await.is_err());
    // Other tags and plain HTTP keep working.
    s.ws("/echo?tag=other").await;
    assert_eq!(s.get("/").await.status, 200);
    sleep(Duration::from_millis(450).saturating_sub(started.elapsed())).await;
    let mut back = s.ws("/echo?tag=d").await;
    back.send(Message::text("up")).await.unwrap();
    assert_eq!(recv_text(&mut back).await, "up");
    let stats = s.control("stats?tag=d").await;
    assert_eq!(
        (stats["refused"].as_u64(), stats["accepted"].as_u64()),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn down_fail_mode_answers_503() {
    let s = start().await;
    s.control("down?ms=300&mode=fail").await;
    match s.try_ws("/echo").await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status(), 503),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("handshake should fail"),
    }
    sleep(Duration::from_millis(350)).await;
    s.ws("/echo").await;
    assert_eq!(s.control("stats").await["refused"], 1);
}

#[tokio::test]
async fn stall_pauses_reading() {
    let s = start().await;
    let mut c = s.ws("/echo?tag=s").await;
    s.wait_stats("", |v| v["open"] == 1).await;
    assert_eq!(
        s.control("stall?tag=s&ms=400").await,
        json!({ "stalled": 1 })
    );
    let started = Instant::now();
    c.send(Message::text("late")).await.unwrap();
    quiet(&mut c, 250).await;
    assert_eq!(recv_text(&mut c).await, "late");
    assert!(started.elapsed() >= Duration::from_millis(350));
}

#[tokio::test]
async fn stats_count_messages_and_closes() {
    let s = start().await;
    let mut a = s.ws("/echo?tag=t").await;
    a.send(Message::text("abc")).await.unwrap();
    a.send(Message::binary(vec![1, 2])).await.unwrap();
    a.send(Message::text("ping")).await.unwrap();
    for _ in 0..3 {
        recv_text_or_bin(&mut a).await;
    }
    let frame = CloseFrame {
        code: CloseCode::from(4000),
        reason: "bye".into(),
    };
    a.close(Some(frame)).await.unwrap();
    let mut b = s.ws("/echo?tag=t").await;
    b.close(None).await.unwrap();
    s.ws("/echo?tag=u").await;
    let v = s
        .wait_stats("?tag=t", |v| v["closes"].as_array().unwrap().len() == 2)
        .await;
    assert_eq!(v["accepted"], 2);
    assert_eq!(v["messages_in"], 2);
    assert_eq!(v["bytes_in"], 5);
    assert_eq!(v["pings"], 1);
    let closes = json!([{ "code": 4000, "reason": "bye" }, { "code": null, "reason": "" }]);
    assert_eq!(v["closes"], closes);
    assert_eq!(s.control("stats").await["accepted"], 3);
    assert_eq!(s.control("reset?tag=t").await, json!({ "ok": true }));
    let v = s.control("stats?tag=t").await;
    assert_eq!(
        (v["accepted"].as_u64(), v["closes"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    assert_eq!(s.control("stats?tag=u").await["accepted"], 1);
    s.control("reset").await;
    assert_eq!(s.control("stats").await["accepted"], 0);
}

async fn recv_text_or_bin(c: &mut common::Client) -> Message {
    common::recv(c).await
}

#[tokio::test]
async fn unknown_control_is_404() {
    let s = start().await;
    let r = s.get("/control/nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}
