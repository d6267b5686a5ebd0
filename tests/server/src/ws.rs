//! WebSocket connections: down check, handshake, and the per-connection `select!` loop.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::time::{sleep, sleep_until, timeout, Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::endpoint::{Kind, Out, Source};
use crate::faults::{Command, DownMode};
use crate::handshake::{accept, Ws};
use crate::http::{send_and_close, Head};
use crate::query::{split_target, Query};
use crate::{ack, hang, raw, Shared};

/// How long to wait for the peer's close frame after sending ours.
const CLOSE_WAIT: Duration = Duration::from_secs(5);
/// How long `/badclose` waits for the client to close after its close frame.
const BAD_CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Handles a WebSocket upgrade whose request head is still unread on `stream`.
pub async fn handle(mut stream: TcpStream, head: Head, shared: Arc<Shared>) {
    let (_, raw) = split_target(&head.target);
    let tag = Query::parse(raw).tag().unwrap_or("").to_string();
    match shared.registry.check_down(&tag) {
        Some(DownMode::Refuse) => return,
        Some(DownMode::Fail) => {
            let mut consumed = vec![0; head.len];
            if stream.read_exact(&mut consumed).await.is_ok() {
                send_and_close(stream, &crate::http::Response::status(503), false).await;
            }
            return;
        }
        None => {}
    }
    // Register before the handshake answer goes out: once the client sees `open`, control
    // actions already reach this connection (commands queue until its loop runs).
    let (ctl_tx, ctl) = unbounded_channel();
    let id = shared.registry.register(&tag, ctl_tx);
    if let Some(Kind::Hang { after }) = Kind::parse(&head.target) {
        hang::run(stream, head.len, after, ctl).await;
        shared.registry.unregister(id);
        return;
    }
    let established = accept(stream)
        .await
        .and_then(|(ws, target)| Kind::parse(&target).map(|kind| (ws, kind, target)));
    let Some((ws, kind, target)) = established else {
        shared.registry.unregister(id);
        return;
    };
    if shared.verbose {
        eprintln!("ws open {target}");
    }
    let end = Conn::new(ws, kind, tag, shared.clone(), (id, ctl))
        .run()
        .await;
    if shared.verbose {
        eprintln!("ws end {target}: {end}");
    }
}

/// Whether the connection reads incoming frames.
#[derive(Debug, Clone, Copy)]
enum Gate {
    Open,
    Until(Instant),
    Never,
}

/// One event from the read side.
enum In {
    Msg(Message),
    Resume,
    Gone,
}

/// A live connection.
struct Conn {
    ws: Ws,
    id: u64,
    kind: Kind,
    tag: String,
    shared: Arc<Shared>,
    ctl: UnboundedReceiver<Command>,
    deferred: VecDeque<Command>,
    source: Source,
    gate: Gate,
}

impl Conn {
    fn new(
        ws: Ws,
        kind: Kind,
        tag: String,
        shared: Arc<Shared>,
        (id, ctl): (u64, UnboundedReceiver<Command>),
    ) -> Conn {
        let mut source = Source::for_kind(&kind);
        if let Kind::Chat { room } = &kind {
            let (tx, rx) = unbounded_channel();
            shared.registry.join_room(room, id, tx);
            source = Source::Chat(rx);
        }
        if let Kind::Ack(_) = &kind {
            shared.registry.record_ack_connection(&tag);
        }
        let gate = match &kind {
            Kind::Silent => Gate::Never,
            Kind::Sink { stall } if !stall.is_zero() => Gate::Until(Instant::now() + *stall),
            _ => Gate::Open,
        };
        let deferred = VecDeque::new();
        Conn {
            ws,
            id,
            kind,
            tag,
            shared,
            ctl,
            deferred,
            source,
            gate,
        }
    }

    /// Runs until the connection ends; returns why.
    async fn run(mut self) -> &'static str {
        if let Err(end) = self.opening().await {
            return end;
        }
        for msg in self.kind.greeting() {
            if let Err(end) = self.send(msg, false).await {
                return end;
            }
        }
        if let Err(end) = self.flush().await {
            return end;
        }
        loop {
            if let Some(cmd) = self.deferred.pop_front() {
                if let Some(end) = self.command(cmd).await {
                    return end;
                }
                continue;
            }
            let gate = self.gate;
            let step = tokio::select! {
                Some(cmd) = self.ctl.recv() => self.command(cmd).await.map_or(Ok(()), Err),
                ev = next_in(&mut self.ws, gate) => self.incoming(ev).await,
                out = self.source.next() => self.outgoing(out).await,
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// The hostile endpoints' first act, before any greeting; `Err` ends the connection.
    async fn opening(&mut self) -> Result<(), &'static str> {
        match self.kind.clone() {
            Kind::Big { bytes, binary } => {
                let write = raw::write_big(self.ws.get_mut(), bytes, binary);
                match guarded(write, &mut self.ctl, &mut self.deferred).await {
                    Some(Ok(())) => Ok(()),
                    Some(Err(_)) => Err("send failed"),
                    None => Err(self.abort()),
                }
            }
            Kind::BadClose(frame) => Err(self.bad_close(&frame.encode()).await),
            Kind::AcceptClose { drop: true } => Err(self.abort()),
            Kind::AcceptClose { drop: false } => Err(self.close(1000, String::new()).await),
            _ => Ok(()),
        }
    }

    /// Writes `frame` raw, then waits (bounded) for the client's close frame or hangup.
    async fn bad_close(&mut self, frame: &[u8]) -> &'static str {
        let tcp = self.ws.get_mut();
        let exchange = async {
            tcp.write_all(frame).await.ok()?;
            timeout(BAD_CLOSE_WAIT, raw::await_close(tcp)).await.ok()?
        };
        match guarded(exchange, &mut self.ctl, &mut self.deferred).await {
            Some(Some((code, reason))) => {
                self.shared.registry.record_close(&self.tag, code, &reason);
                "bad close answered"
            }
            Some(None) => "bad close sent",
            None => self.abort(),
        }
    }

    async fn command(&mut self, cmd: Command) -> Option<&'static str> {
        match cmd {
            Command::Drop => Some(self.abort()),
            Command::Kill { code, reason } => Some(self.close(code, reason).await),
            Command::Stall(d) => {
                let until = Instant::now() + d.min(Duration::from_secs(86_400 * 30));
                self.gate = match self.gate {
                    Gate::Never => Gate::Never,
                    Gate::Until(t) if t > until => Gate::Until(t),
                    _ => Gate::Until(until),
                };
                None
            }
        }
    }

    async fn incoming(&mut self, ev: In) -> Result<(), &'static str> {
        let msg = match ev {
            In::Resume => {
                self.gate = Gate::Open;
                return Ok(());
            }
            In::Gone => return Err("peer gone"),
            In::Msg(m) => m,
        };
        let reg = &self.shared.registry;
        match &msg {
            Message::Text(t) if t.as_str() == "ping" => {
                reg.record_ping(&self.tag);
                return self.send(Message::text("pong"), true).await;
            }
            Message::Text(_) | Message::Binary(_) => reg.record_message(&self.tag, msg.len()),
            Message::Close(frame) => {
                self.record_close(frame.as_ref());
                return Ok(());
            }
            _ => return Ok(()),
        }
        if let Kind::Chat { room } = &self.kind {
            let reply = ack::tracked(&msg).map(|t| ack::plain_ack(&t.id));
            reg.broadcast(room, &msg, self.id, reply);
            return Ok(());
        }
        if let Kind::Ack(_) = &self.kind {
            return self.ack_incoming(&msg).await;
        }
        match self.kind.reply(msg) {
            Some(reply) => self.send(reply, true).await,
            None => Ok(()),
        }
    }

    /// Records a tracked `/ack` message and queues its reply, or drops the link on a seeded
    /// drop point (the message is recorded but never acknowledged).
    async fn ack_incoming(&mut self, msg: &Message) -> Result<(), &'static str> {
        let Some(t) = ack::tracked(msg) else {
            return Ok(());
        };
        let Source::Ack(queue) = &mut self.source else {
            return Ok(());
        };
        let drops = queue.params().drops;
        if self.shared.registry.record_ack(&self.tag, &t.id, drops) {
            return Err(self.abort());
        }
        queue.push(&t);
        // A full queue (long delay, fast sender) pauses reading until its oldest frame is out.
        loop {
            let Source::Ack(queue) = &mut self.source else {
                return Ok(());
            };
            if !queue.is_full() {
                return Ok(());
            }
            let Some((due, frame)) = queue.pop() else {
                return Ok(());
            };
            if guarded(sleep_until(due), &mut self.ctl, &mut self.deferred)
                .await
                .is_none()
            {
                return Err(self.abort());
            }
            self.send(frame, true).await?;
        }
    }

    async fn outgoing(&mut self, out: Out) -> Result<(), &'static str> {
        match out {
            Out::Send(msg) => self.send(msg, true).await,
            Out::Close(code, reason) => Err(self.close(code, reason).await),
        }
    }

    /// Sends (or queues, when `flush` is false) `msg`; control commands still act meanwhile.
    async fn send(&mut self, msg: Message, flush: bool) -> Result<(), &'static str> {
        let ws = &mut self.ws;
        let fut = async move {
            if flush {
                ws.send(msg).await
            } else {
                ws.feed(msg).await
            }
        };
        match guarded(fut, &mut self.ctl, &mut self.deferred).await {
            Some(res) => res.map_err(|_| "send failed"),
            None => Err(self.abort()),
        }
    }

    async fn flush(&mut self) -> Result<(), &'static str> {
        self.ws.flush().await.map_err(|_| "send failed")
    }

    /// Drops the TCP connection without a close frame (RST via zero linger).
    fn abort(&mut self) -> &'static str {
        let _ = self.ws.get_ref().set_zero_linger();
        "dropped"
    }

    /// Sends a close frame and waits (bounded) for the peer's; reserved codes abort instead.
    async fn close(&mut self, code: u16, reason: String) -> &'static str {
        if matches!(code, 1005 | 1006 | 1015) {
            return self.abort();
        }
        let frame = CloseFrame {
            code: code.into(),
            reason: truncate(reason, 123).into(),
        };
        if self.ws.close(Some(frame)).await.is_err() {
            return "close failed";
        }
        let drain = async {
            while let Some(Ok(msg)) = self.ws.next().await {
                if let Message::Close(frame) = msg {
                    self.record_close(frame.as_ref());
                }
            }
        };
        let _ = timeout(CLOSE_WAIT, drain).await;
        "closed by server"
    }

    fn record_close(&self, frame: Option<&CloseFrame>) {
        let code = frame.map(|f| u16::from(f.code));
        let reason = frame.map_or("", |f| f.reason.as_str());
        self.shared.registry.record_close(&self.tag, code, reason);
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.shared.registry.unregister(self.id);
    }
}

/// Runs `fut` while taking control commands: `drop` cancels it (`None`, the caller aborts);
/// other commands wait in `deferred`.
async fn guarded<F: Future>(
    fut: F,
    ctl: &mut UnboundedReceiver<Command>,
    deferred: &mut VecDeque<Command>,
) -> Option<F::Output> {
    tokio::pin!(fut);
    loop {
        tokio::select! {
            r = &mut fut => return Some(r),
            Some(cmd) = ctl.recv() => match cmd {
                Command::Drop => return None,
                other => deferred.push_back(other),
            },
        }
    }
}

/// Cuts `s` to at most `max` bytes on a char boundary (close reasons fit in 123 bytes).
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// The next read-side event under `gate`.
async fn next_in(ws: &mut Ws, gate: Gate) -> In {
    match gate {
        Gate::Open => match ws.next().await {
            Some(Ok(m)) => In::Msg(m),
            Some(Err(_)) | None => In::Gone,
        },
        Gate::Until(t) => tokio::select! {
            _ = sleep_until(t) => In::Resume,
            _ = hangup(ws.get_ref()) => In::Gone,
        },
        Gate::Never => {
            hangup(ws.get_ref()).await;
            In::Gone
        }
    }
}

/// Resolves once the peer has closed its side, without consuming any bytes.
async fn hangup(tcp: &TcpStream) {
    loop {
        match tcp.ready(Interest::READABLE).await {
            Ok(r) if !r.is_read_closed() => sleep(Duration::from_millis(200)).await,
            _ => return,
        }
    }
}
