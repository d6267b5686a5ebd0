//! The hostile endpoints, checked on the wire (raw TCP where tungstenite would hide it).

mod common;

use common::{end, recv, recv_text, start, End, Server};
use futures_util::SinkExt;
use serde_json::Value;
use tokio::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// 80 MiB.
const BIG: usize = 80 << 20;

/// `r` repeated `n` times.
fn rs(n: usize) -> Vec<u8> {
    vec![b'r'; n]
}

/// `a` followed by `b`.
fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
    [a, b].concat()
}

#[tokio::test]
async fn big_frames_on_the_wire() {
    let s = start().await;
    let (mut r, reply) = s.raw_ws("/big?bytes=200&kind=text", None).await;
    assert_eq!(reply.status, 101);
    assert_eq!(r.read_exact(4).await, [0x81, 126, 0, 200]);
    assert_eq!(r.read_exact(200).await, vec![b'x'; 200]);
    r.send_frame(0x81, b"hi").await;
    assert_eq!(r.read_exact(4).await, [0x81, 2, b'h', b'i']);

    let (mut r, _) = s.raw_ws("/big?bytes=70000&kind=binary", None).await;
    assert_eq!(
        r.read_exact(10).await,
        [0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]
    );
    let body = r.read_exact(70_000).await;
    assert!(body.iter().enumerate().all(|(i, &b)| b == i as u8));

    let (mut r, _) = s.raw_ws("/big?bytes=0", None).await;
    assert_eq!(r.read_exact(2).await, [0x81, 0]);
}

#[tokio::test]
async fn big_80_mib_binary_then_echo() {
    let s = start().await;
    let mut c = s
        .ws_unlimited(&format!("/big?bytes={BIG}&kind=binary&tag=big"))
        .await;
    let Message::Binary(data) = recv(&mut c).await else {
        panic!("expected binary");
    };
    assert_eq!(data.len(), BIG);
    assert!(data.iter().enumerate().all(|(i, &b)| b == i as u8));
    c.send(Message::Binary(data)).await.unwrap();
    let Message::Binary(echo) = recv(&mut c).await else {
        panic!("expected binary echo");
    };
    assert_eq!(echo.len(), BIG);
    let v = s.control("stats?tag=big").await;
    assert_eq!(
        (v["messages_in"].as_u64(), v["bytes_in"].as_u64()),
        (Some(1), Some(BIG as u64))
    );
}

#[tokio::test]
async fn big_80_mib_text() {
    let s = start().await;
    let mut c = s.ws_unlimited(&format!("/big?bytes={BIG}")).await;
    let text = recv_text(&mut c).await;
    assert_eq!(text.len(), BIG);
    assert!(text.bytes().all(|b| b == b'x'));
    c.send(Message::text("after")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "after");
}

#[tokio::test]
async fn burst_floods_100000_messages_quickly() {
    let s = start().await;
    let started = Instant::now();
    let mut c = s.ws("/burst?count=100000&size=0").await;
    let mut last = String::new();
    for _ in 0..100_000 {
        last = recv_text(&mut c).await;
    }
    let took = started.elapsed();
    assert_eq!(last, r#"{"seq":100000,"pad":""}"#);
    assert!(
        took < Duration::from_secs(5),
        "100,000 messages took {took:?}"
    );
    c.send(Message::text("after")).await.unwrap();
    assert_eq!(recv_text(&mut c).await, "after");
}

#[tokio::test]
async fn bad_close_frames_are_sent_verbatim() {
    let s = start().await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("code=1005", vec![0x88, 2, 0x03, 0xED]),
        ("code=1006&reason_len=1", vec![0x88, 3, 0x03, 0xEE, b'r']),
        ("code=none&reason_len=5", vec![0x88, 0]),
        (
            "code=999&reason_len=3",
            vec![0x88, 5, 0x03, 0xE7, b'r', b'r', b'r'],
        ),
        ("code=2999", vec![0x88, 2, 0x0B, 0xB7]),
        (
            "code=1004&reason_len=123",
            cat(&[0x88, 125, 0x03, 0xEC], &rs(123)),
        ),
        (
            "code=5000&reason_len=124",
            cat(&[0x88, 126, 0, 126, 0x13, 0x88], &rs(124)),
        ),
        (
            "code=65535&reason_len=200",
            cat(&[0x88, 126, 0, 202, 0xFF, 0xFF], &rs(200)),
        ),
        (
            "code=0&reason_len=2&utf8=bad",
            vec![0x88, 4, 0, 0, 0xFF, 0xFF],
        ),
    ];
    for (query, want) in &cases {
        let (mut r, reply) = s.raw_ws(&format!("/badclose?{query}&tag=bc"), None).await;
        assert_eq!(reply.status, 101, "{query}");
        assert_eq!(&r.read_exact(want.len()).await, want, "{query}");
        // The client's close ends the wait at once: the server hangs up, sending nothing more.
        let started = Instant::now();
        r.send_close(1002).await;
        assert!(r.rest().await.is_empty(), "{query}");
        assert!(started.elapsed() < Duration::from_secs(1), "{query}");
    }
    let v = s
        .wait_stats("?tag=bc", |v| {
            v["closes"].as_array().unwrap().len() == cases.len()
        })
        .await;
    assert_eq!(
        v["closes"][0],
        serde_json::json!({ "code": 1002, "reason": "" })
    );
    assert_eq!(v["accepted"], cases.len());
}

#[tokio::test]
async fn bad_close_hangs_up_after_two_seconds() {
    let s = start().await;
    let (mut r, _) = s.raw_ws("/badclose?code=1000&tag=slow", None).await;
    let started = Instant::now();
    assert_eq!(r.read_exact(4).await, [0x88, 2, 0x03, 0xE8]);
    // Data frames from the client do not end the wait.
    r.send_frame(0x81, b"still here").await;
    assert!(r.rest().await.is_empty());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    s.wait_stats("?tag=slow", |v| v["open"] == 0).await;
}

/// `accepted_at_ms` of `tag`, once `n` connections were accepted and none is open.
async fn accept_times(s: &Server, tag: &str, n: usize) -> Vec<u64> {
    let query = format!("?tag={tag}");
    let v = s
        .wait_stats(&query, |v| v["accepted"] == n && v["open"] == 0)
        .await;
    let times = v["accepted_at_ms"].as_array().unwrap();
    times.iter().map(|t| t.as_u64().unwrap()).collect()
}

#[tokio::test]
async fn accept_close_modes_and_connection_times() {
    let s = start().await;
    let (mut r, reply) = s.raw_ws("/accept_close?tag=ac", None).await;
    assert_eq!(reply.status, 101);
    assert_eq!(r.read_exact(4).await, [0x88, 2, 0x03, 0xE8]);
    r.send_close(1000).await;
    assert!(r.rest().await.is_empty());

    let (mut r, reply) = s.raw_ws("/accept_close?mode=drop&tag=ac", None).await;
    assert_eq!(reply.status, 101);
    assert!(r.rest().await.is_empty(), "no close frame after a drop");

    let mut c = s.ws("/accept_close?mode=close&tag=ac").await;
    let closed = end(&mut c).await;
    assert!(
        matches!(&closed, End::Close(Some((1000, r))) if r.is_empty()),
        "{closed:?}"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    if let Ok(mut c) = s.try_ws("/accept_close?mode=drop&tag=ac").await {
        assert!(matches!(end(&mut c).await, End::Abrupt));
    }

    let times = accept_times(&s, "ac", 4).await;
    assert_eq!(times.len(), 4);
    assert_eq!(times[0], 0);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(times[3] >= 50, "{times:?}");
}

#[tokio::test]
async fn hang_never_answers_then_closes() {
    let s = start().await;
    let started = Instant::now();
    let mut r = s.upgrade("/hang?ms=400&tag=h", None).await;
    s.wait_stats("?tag=h", |v| v["accepted"] == 1 && v["open"] == 1)
        .await;
    assert!(r.rest().await.is_empty(), "no response to the upgrade");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(accept_times(&s, "h", 1).await, [0]);

    // The default hang lasts a minute; /control/drop ends it.
    let mut r = s.upgrade("/hang?tag=h2", None).await;
    r.quiet(300).await;
    assert_eq!(s.control("drop?tag=h2").await["dropped"], 1);
    assert!(r.rest().await.is_empty());
    s.wait_stats("?tag=h2", |v| v["open"] == 0).await;
}

#[tokio::test]
async fn subprotocol_answers_what_was_not_offered() {
    let s = start().await;
    let (mut r, reply) = s.raw_ws("/subprotocol?tag=p", Some("chat")).await;
    assert_eq!(reply.status, 101);
    assert_eq!(reply.header("sec-websocket-protocol"), Some("unrequested"));
    r.send_frame(0x81, b"echo").await;
    assert_eq!(r.read_exact(6).await, cat(&[0x81, 4], b"echo"));

    let (_, reply) = s.raw_ws("/subprotocol?proto=zzz&tag=p", None).await;
    assert_eq!(reply.header("sec-websocket-protocol"), Some("zzz"));

    // A conforming client fails the connection, with or without an offer.
    assert!(matches!(
        s.try_ws("/subprotocol?tag=p").await,
        Err(WsError::Protocol(_))
    ));
    let mut req = s.url("/subprotocol?tag=p").into_client_request().unwrap();
    let offer = "chat".parse().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", offer);
    let res = tokio_tungstenite::connect_async(req).await;
    assert!(matches!(res, Err(WsError::Protocol(_))), "{res:?}");
    let v: Value = s.wait_stats("?tag=p", |v| v["accepted"] == 4).await;
    assert_eq!(v["accepted_at_ms"].as_array().unwrap().len(), 4);
}
