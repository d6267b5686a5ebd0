//! Browser suite: the foundation, against the project's server on loopback.
//!
//! Proves:
//! - text echo; binary echo byte-exact with 0x00/0xFF and a 1 MiB message;
//! - JSON round trip of a nested struct and an enum; a non-JSON frame is a decode error
//!   and the next good frame still arrives;
//! - readyState goes CONNECTING → OPEN → CLOSING → CLOSED;
//! - the server's close code and reason are seen;
//! - client close with 1005, 1001, 2999, 5000 or a 124-byte reason is a typed error and the
//!   socket stays open; send after close hands the message back;
//! - an invalid URL and a port with nothing listening are typed errors;
//! - after drop, no callback runs and every listener is released;
//! - sends leave in the order they were made, awaited or not; the socket is a `Sink`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use futures::StreamExt;
use resocket::codec::Json;
use resocket::{ClosedBy, ConnectionState, Error, Message, ReadyState, ReconnectPolicy, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn next_msg<C: resocket::Codec>(s: &mut Socket<C>) -> Result<C::In, Error> {
    within(5_000, "next message", s.next())
        .await
        .expect("stream ended")
}

#[wasm_bindgen_test]
async fn text_echo() {
    let mut s = Socket::connect(&ws_url("/echo")).await.unwrap();
    assert_eq!(s.ready_state(), ReadyState::Open);
    s.send(Message::Text("hello, wörld".into())).await.unwrap();
    assert_eq!(
        next_msg(&mut s).await.unwrap(),
        Message::Text("hello, wörld".into())
    );
}

#[wasm_bindgen_test]
async fn binary_echo_is_byte_exact_up_to_one_mib() {
    let mut s = Socket::connect(&ws_url("/echo")).await.unwrap();
    let small = vec![0x00, 0xFF, 0x00, 0x7F, 0x80, 0xFF];
    let big: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    s.send(Message::Binary(small.clone())).await.unwrap();
    s.send(Message::Binary(big.clone())).await.unwrap();
    assert_eq!(next_msg(&mut s).await.unwrap(), Message::Binary(small));
    assert_eq!(next_msg(&mut s).await.unwrap(), Message::Binary(big));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Room {
    name: String,
    members: Vec<Member>,
    topic: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Member {
    id: u32,
    role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Role {
    Owner,
    Guest { invited_by: u32 },
}

#[wasm_bindgen_test]
async fn json_round_trip_and_decode_errors() {
    let mut s = Socket::builder(ws_url("/echo"))
        .codec(Json::<Room>::new())
        .connect()
        .await
        .unwrap();
    let room = Room {
        name: "lobby".into(),
        members: vec![
            Member {
                id: 1,
                role: Role::Owner,
            },
            Member {
                id: 2,
                role: Role::Guest { invited_by: 1 },
            },
        ],
        topic: None,
    };
    s.send(room.clone()).await.unwrap();
    assert_eq!(next_msg(&mut s).await.unwrap(), room);

    // A frame that is not JSON: a typed error carrying the frame, and the stream goes on.
    s.send_message(Message::Text("not json".into()))
        .await
        .unwrap();
    s.send_json(&room).await.unwrap();
    match next_msg(&mut s).await {
        Err(Error::Decode { frame, .. }) => assert_eq!(frame, Message::Text("not json".into())),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(next_msg(&mut s).await.unwrap(), room);
    assert_eq!(s.ready_state(), ReadyState::Open);
}

#[wasm_bindgen_test]
async fn ready_state_walks_through_the_spec_states() {
    let s = Socket::builder(ws_url("/echo")).open().unwrap();
    assert_eq!(s.ready_state(), ReadyState::Connecting);
    wait_state(&s, 5_000, "open", ConnectionState::is_open).await;
    assert_eq!(s.ready_state(), ReadyState::Open);
    s.close(1000, "done").unwrap();
    assert_eq!(s.ready_state(), ReadyState::Closing);
    assert_eq!(s.state(), ConnectionState::Closing);
    let end = wait_state(&s, 5_000, "closed", ConnectionState::is_closed).await;
    assert_eq!(s.ready_state(), ReadyState::Closed);
    match end {
        ConnectionState::Closed(info) => {
            assert_eq!(info.by, ClosedBy::Client);
            assert_eq!(info.code, 1000);
            assert!(info.was_clean);
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn server_close_code_and_reason_are_seen() {
    let s = Socket::builder(ws_url("/close?code=4001&reason=go%20away"))
        .reconnect(ReconnectPolicy::disabled())
        .open()
        .unwrap();
    match wait_state(&s, 5_000, "closed", ConnectionState::is_closed).await {
        ConnectionState::Closed(info) => {
            assert_eq!(info.code, 4001);
            assert_eq!(info.reason, "go away");
            assert!(info.was_clean);
            assert_eq!(info.by, ClosedBy::Remote);
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn invalid_client_close_is_a_typed_error_and_changes_nothing() {
    let mut s = Socket::connect(&ws_url("/echo")).await.unwrap();
    for code in [1005, 1001, 2999, 5000] {
        assert_eq!(s.close(code, ""), Err(Error::InvalidCloseCode(code)));
    }
    let long = "r".repeat(124);
    assert_eq!(s.close(1000, &long), Err(Error::InvalidCloseReason(124)));
    assert_eq!(s.ready_state(), ReadyState::Open);
    assert!(s.state().is_open());
    s.send(Message::Text("still here".into())).await.unwrap();
    assert_eq!(
        next_msg(&mut s).await.unwrap(),
        Message::Text("still here".into())
    );
}

#[wasm_bindgen_test]
async fn send_after_close_hands_the_message_back() {
    let s = Socket::connect(&ws_url("/echo")).await.unwrap();
    s.close(1000, "").unwrap();
    let m = Message::Text("late".into());
    assert_eq!(
        s.send(m.clone()).await,
        Err(Error::Closed {
            unsent: Some(m.clone())
        })
    );
    assert_eq!(
        s.try_send(m.clone()),
        Err(Error::Closed { unsent: Some(m) })
    );
}

#[wasm_bindgen_test]
async fn invalid_urls_are_typed_errors() {
    for bad in [
        "ftp://127.0.0.1/x",
        "ws://exa mple.com:99999/",
        "ws://127.0.0.1/#frag",
        "ftp://ann:pw@127.0.0.1/x?token=s3cret",
    ] {
        match Socket::builder(bad).open() {
            // The error shows the URL redacted (no query, fragment or credentials).
            Err(e @ Error::InvalidUrl { .. }) => {
                let Error::InvalidUrl { url, .. } = &e else {
                    unreachable!()
                };
                assert_eq!(*url, resocket::core::redact_url(bad));
                assert!(!format!("{e} {e:?}").contains("s3cret"), "{e:?}");
            }
            Err(other) => panic!("{bad}: expected InvalidUrl, got {other:?}"),
            Ok(_) => panic!("{bad}: accepted"),
        }
    }
    // http(s) maps to ws(s), as browsers do.
    let s = Socket::builder(format!("http://{}/echo", server()))
        .open()
        .unwrap();
    assert!(s.url().starts_with("ws://"));
}

#[wasm_bindgen_test]
async fn refused_connection_is_a_typed_error() {
    let r = Socket::builder(closed_url())
        .reconnect(ReconnectPolicy::disabled())
        .connect()
        .await;
    match r {
        Err(Error::ConnectFailed { url }) => assert_eq!(url, closed_url()),
        Err(other) => panic!("expected ConnectFailed, got {other:?}"),
        Ok(_) => panic!("connected to a closed port"),
    }
}

#[wasm_bindgen_test]
async fn subprotocol_is_negotiated() {
    let s = Socket::builder(ws_url("/echo"))
        .protocols(["chat.v2", "chat.v1"])
        .connect()
        .await
        .unwrap();
    assert_eq!(s.protocol(), "chat.v2");
}

#[wasm_bindgen_test]
async fn after_drop_no_callback_runs_and_listeners_are_released() {
    let before = resocket::diagnostics();
    let t = tag("drop");
    let mut s = Socket::connect(&ws_url(&format!("/push?interval_ms=5&tag={t}")))
        .await
        .unwrap();
    // The push stream is live: messages arrive.
    next_msg(&mut s).await.unwrap();
    next_msg(&mut s).await.unwrap();
    assert!(resocket::diagnostics().live_listeners > before.live_listeners);
    drop(s);
    let at_drop = resocket::diagnostics();
    assert_eq!(at_drop.live_listeners, before.live_listeners);
    assert_eq!(at_drop.live_timers, before.live_timers);
    assert_eq!(at_drop.live_sockets, before.live_sockets);
    // The server would have pushed ~40 messages in this time; none reaches any callback.
    sleep(200).await;
    assert_eq!(resocket::diagnostics().callbacks_run, at_drop.callbacks_run);
    // And the server saw the close.
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["open"], 0, "{stats}");
    assert_eq!(stats["closes"][0]["code"], 1000, "{stats}");
}

#[wasm_bindgen_test]
async fn sends_keep_call_order_even_before_they_are_awaited() {
    let mut s = Socket::connect(&ws_url("/echo")).await.unwrap();
    let first = s.send(Message::Text("first".into()));
    s.try_send(Message::Text("second".into())).unwrap();
    let third = s.send(Message::Text("third".into()));
    assert!(
        s.stats().messages_out >= 2,
        "send() takes its place when called"
    );
    third.await.unwrap();
    first.await.unwrap();
    for want in ["first", "second", "third"] {
        assert_eq!(next_msg(&mut s).await.unwrap(), Message::Text(want.into()));
    }
}

#[wasm_bindgen_test]
async fn socket_is_a_sink() {
    use futures::SinkExt;
    let mut s = Socket::builder(ws_url("/echo"))
        .codec(Json::<Member>::new())
        .connect()
        .await
        .unwrap();
    let members: Vec<Member> = (0..20)
        .map(|id| Member {
            id,
            role: Role::Owner,
        })
        .collect();
    let mut items = futures::stream::iter(members.clone().into_iter().map(Ok));
    SinkExt::send_all(&mut s, &mut items).await.unwrap();
    for want in members {
        assert_eq!(next_msg(&mut s).await.unwrap(), want);
    }
    SinkExt::close(&mut s).await.unwrap();
    assert_eq!(s.state(), ConnectionState::Closing);
}
