//! `/hang`: reads the upgrade request, never answers it, and closes the TCP connection later.

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{sleep, Duration};

use crate::faults::Command;

/// Holds `stream` (whose request head of `head_len` bytes is still unread) silent for `after`.
/// Ends early when the client leaves, or at a `drop`/`kill` command (as a reset).
pub async fn run(
    mut stream: TcpStream,
    head_len: usize,
    after: Duration,
    mut ctl: UnboundedReceiver<Command>,
) {
    let mut head = vec![0; head_len];
    if stream.read_exact(&mut head).await.is_err() {
        return;
    }
    let peer_gone = async {
        let mut buf = [0u8; 4096];
        while let Ok(1..) = stream.read(&mut buf).await {}
    };
    let reset = tokio::select! {
        _ = sleep(after) => false,
        _ = peer_gone => false,
        _ = ended(&mut ctl) => true,
    };
    if reset {
        let _ = stream.set_zero_linger();
    }
}

/// Resolves at the first command that ends a connection; a stall means nothing here.
async fn ended(ctl: &mut UnboundedReceiver<Command>) {
    while let Some(cmd) = ctl.recv().await {
        if matches!(cmd, Command::Drop | Command::Kill { .. }) {
            return;
        }
    }
    std::future::pending().await
}
