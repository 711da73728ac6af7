//! The open connections: a cap with room made by closing the connection
//! open longest that is not handling a request, and per-connection activity
//! (last byte moved, requests in hand) for the idle limit.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Every connection being served, oldest first, up to a cap.
#[derive(Debug)]
pub(crate) struct Connections {
    max: usize,
    epoch: Instant,
    next_id: AtomicU64,
    /// By admission order: a smaller id was admitted earlier.
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
}

impl Connections {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Connections {
            max: max.max(1),
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::new(BTreeMap::new()),
        })
    }

    /// Admits a new connection. At the cap, the connection open longest that
    /// is not handling a request is told to close to make room (a silent or
    /// trickling client, or an idle keep-alive one); `None` when every
    /// connection is handling a request.
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.len() >= self.max {
            let victim = open
                .iter()
                .find(|(_, conn)| conn.busy.load(Ordering::Relaxed) == 0)
                .map(|(id, _)| *id)?;
            if let Some(conn) = open.remove(&victim) {
                conn.evicted.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            epoch: self.epoch,
            last_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
            evicted: Notify::new(),
        });
        conn.touch();
        open.insert(id, Arc::clone(&conn));
        Some(Admitted {
            id,
            conn,
            connections: Arc::clone(self),
        })
    }
}

/// A connection's place among the open ones; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Admitted {
    id: u64,
    pub conn: Arc<Conn>,
    connections: Arc<Connections>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.remove(&self.id);
    }
}

/// One connection's activity.
#[derive(Debug)]
pub(crate) struct Conn {
    epoch: Instant,
    /// Milliseconds from `epoch` to the last byte read or written.
    last_ms: AtomicU64,
    /// Requests being handled (reading the body, waiting, answering).
    busy: AtomicUsize,
    /// Told to close, to make room for a new connection.
    evicted: Notify,
}

/// Marks a request as being handled until dropped.
pub(crate) struct Busy(Arc<Conn>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Conn {
    /// Marks a request as being handled while the guard lives.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(self))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Completes when the connection is told to close to make room.
    pub async fn evicted(&self) {
        self.evicted.notified().await;
    }

    /// Completes once no byte has moved for `limit` while no request was being
    /// handled (a client that stopped reading its answer, for instance).
    pub async fn idle_for(&self, limit: Duration) {
        loop {
            let last = self.epoch + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let deadline = last + limit;
            if Instant::now() >= deadline && self.busy.load(Ordering::Relaxed) == 0 {
                return;
            }
            // While busy, the body deadline and the handler bound the wait.
            tokio::time::sleep_until(deadline.max(Instant::now() + limit / 4)).await;
        }
    }
}

/// A connection's stream that records when it last moved a byte.
pub(crate) struct Tracked {
    pub inner: TcpStream,
    pub conn: Arc<Conn>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.conn.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.conn.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let connections = Connections::new(2);
        let first = connections.admit().unwrap();
        let second = connections.admit().unwrap();
        let busy = first.conn.busy();
        // The first is handling a request: the second, idle, is told to close.
        let third = connections.admit().unwrap();
        tokio::time::timeout(Duration::from_secs(5), second.conn.evicted())
            .await
            .unwrap();
        // Now both open connections are handling requests: refused.
        let _busy_too = third.conn.busy();
        assert!(connections.admit().is_none());
        // A connection that ends frees its place.
        drop(busy);
        drop(first);
        assert!(connections.admit().is_some());
    }
}
