//! One or more tests per WebSocket endpoint.

mod common;

use common::{end, quiet, recv, recv_text, start, End};
use futures_util::SinkExt;
use serde_json::Value;
use tokio::time::{timeout, Duration, Instant};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

#[tokio::test]
async fn echo_text_and_binary_byte_exact() {
    let s = start().await;
    let mut c = s.ws("/echo").await;
    c.send(Message::text("hello ✓")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "hello ✓");
    let bin = vec![0x00, 0xFF, 0x00, 0x01, 0xFE, 0xFF];
    c.send(Message::binary(bin.clone())).await.unwrap();
    assert_eq!(recv(&mut c).await, Message::binary(bin));
    c.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "pong");
}

#[tokio::test]
async fn echo_one_mebibyte() {
    let s = start().await;
    let mut c = s.ws("/echo").await;
    let big: Vec<u8> = (0..(1 << 20)).map(|i| (i * 7 % 256) as u8).collect();
    c.send(Message::binary(big.clone())).await.unwrap();
    assert_eq!(recv(&mut c).await, Message::binary(big));
    let text = "é".repeat(1 << 19);
    c.send(Message::text(text.clone())).await.unwrap();
    assert_eq!(recv_text(&mut c).await, text);
}

#[tokio::test]
async fn greet_says_hello_then_echoes() {
    let s = start().await;
    let mut c = s.ws("/greet").await;
    assert_eq!(recv_text(&mut c).await, "Hello");
    c.send(Message::text("hi")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "You said: hi");
    c.send(Message::binary(vec![0, 255])).await.unwrap();
    assert_eq!(recv(&mut c).await, Message::binary(vec![0, 255]));
    c.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "pong");
}

#[tokio::test]
async fn push_sends_count_messages() {
    let s = start().await;
    let mut c = s.ws("/push?interval_ms=20&count=3").await;
    for want in 1..=3 {
        let v: Value = serde_json::from_str(&recv_text(&mut c).await).unwrap();
        assert_eq!(v["seq"], want);
        assert!(v["ts"].as_u64().unwrap() > 1_600_000_000_000);
    }
    c.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "pong");
    quiet(&mut c, 200).await;
}

#[tokio::test]
async fn burst_then_echo() {
    let s = start().await;
    let mut c = s.ws("/burst?count=50&size=10").await;
    for i in 1..=50 {
        let want = format!(r#"{{"seq":{i},"pad":"xxxxxxxxxx"}}"#);
        assert_eq!(recv_text(&mut c).await, want);
    }
    c.send(Message::text("after")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "after");

    let mut d = s.ws("/burst").await;
    for _ in 0..100 {
        recv_text(&mut d).await;
    }
    d.send(Message::text("x")).await.unwrap();
    assert_eq!(recv_text(&mut d).await, "x");
    assert_eq!(
        serde_json::from_str::<Value>(r#"{"seq":1,"pad":""}"#).unwrap()["pad"],
        ""
    );
}

#[tokio::test]
async fn close_sends_code_and_reason() {
    let s = start().await;
    let started = Instant::now();
    let mut c = s.ws("/close?code=4001&reason=bye%20now&after_ms=100").await;
    match end(&mut c).await {
        End::Close(Some((code, reason))) => assert_eq!((code, reason.as_str()), (4001, "bye now")),
        other => panic!("unexpected end {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(100));
    let mut d = s.ws("/close").await;
    assert!(matches!(end(&mut d).await, End::Close(Some((1000, _)))));
}

#[tokio::test]
async fn close_with_reserved_code_drops() {
    let s = start().await;
    for code in [1005, 1006, 1015] {
        let mut c = s.ws(&format!("/close?code={code}")).await;
        assert!(matches!(end(&mut c).await, End::Abrupt), "code {code}");
    }
}

#[tokio::test]
async fn chat_broadcasts_in_order_within_room() {
    let s = start().await;
    let mut a = s.ws("/chat?room=r1").await;
    let mut b = s.ws("/chat?room=r1").await;
    let mut other = s.ws("/chat?room=r2").await;
    s.wait_stats("", |v| v["open"] == 3).await;
    a.send(Message::text("one")).await.unwrap();
    assert_eq!(recv_text(&mut a).await, "one");
    b.send(Message::binary(vec![2])).await.unwrap();
    assert_eq!(recv(&mut a).await, Message::binary(vec![2]));
    a.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv_text(&mut a).await, "pong");
    assert_eq!(recv_text(&mut b).await, "one");
    assert_eq!(recv(&mut b).await, Message::binary(vec![2]));
    quiet(&mut b, 150).await;
    quiet(&mut other, 50).await;
}

#[tokio::test]
async fn sink_acks_in_order_after_stall() {
    let s = start().await;
    let mut c = s.ws("/sink?stall_ms=300").await;
    let started = Instant::now();
    c.send(Message::text("1|payload")).await.unwrap();
    c.send(Message::text("two")).await.unwrap();
    c.send(Message::binary(vec![3, 1, 0, 0, 0xFF]))
        .await
        .unwrap();
    c.send(Message::binary(vec![9])).await.unwrap();
    for want in ["ack:1", "ack:two", "ack:259", "ack:short"] {
        assert_eq!(recv_text(&mut c).await, want);
    }
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn sink_stalled_forever_backs_up_the_sender() {
    let s = start().await;
    let mut c = s.ws("/sink?stall_ms=999999999&tag=full").await;
    let chunk = vec![0u8; 1 << 20];
    let pushing = async {
        for _ in 0..48 {
            c.send(Message::binary(chunk.clone())).await?;
        }
        Ok::<_, WsError>(())
    };
    assert!(timeout(Duration::from_millis(1500), pushing).await.is_err());
    assert_eq!(s.control("drop?tag=full").await["dropped"], 1);
}

#[tokio::test]
async fn silent_never_answers() {
    let s = start().await;
    let mut c = s.ws("/silent?tag=q").await;
    c.send(Message::text("ping")).await.unwrap();
    quiet(&mut c, 300).await;
    assert_eq!(s.control("drop?tag=q").await["dropped"], 1);
    assert!(matches!(end(&mut c).await, End::Abrupt));
}

#[tokio::test]
async fn silent_connection_is_released_when_client_leaves() {
    let s = start().await;
    let c = s.ws("/silent").await;
    s.wait_stats("", |v| v["open"] == 1).await;
    drop(c);
    s.wait_stats("", |v| v["open"] == 0).await;
}

#[tokio::test]
async fn unknown_path_is_404() {
    let s = start().await;
    match s.try_ws("/nope").await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status(), 404),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("handshake should fail"),
    }
}
