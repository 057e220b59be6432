//! The slow-loris guard: a connection that goes a whole `--header-timeout` without a request
//! arriving, while nothing is being answered on it, is closed.
//!
//! hyper has such a guard (`header_read_timeout`), but it arms a fresh timer for every request:
//! a boxed sleep, registered with tokio's timer wheel and taken out again, about 1,600
//! instructions a request, 8% of a whole `GET` (callgrind). This one keeps one timer a
//! connection and looks at it only when the socket has nothing to read; a request costs two
//! counter increments.
//!
//! The timer fires once a period. It is then re-armed if, since it was last armed, a request
//! arrived, an answer is still being made (a simulated delay) or sent (a streamed body holds
//! its request's [`Answering`] until hyper drops it), or bytes were written; otherwise the next
//! read fails with `TimedOut` and hyper drops the connection. So a client dribbling a head one
//! byte at a time is closed after one to two periods, and so is an idle keep-alive
//! connection, as with hyper's guard.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What the service tells the connection's guard: requests begun and finished.
#[derive(Debug, Default)]
pub struct Progress {
    begun: AtomicU32,
    finished: AtomicU32,
}

impl Progress {
    /// A request's head has arrived and its answer is being made.
    pub fn begin(&self) {
        self.begun.fetch_add(1, Ordering::Relaxed);
    }

    /// The answer is made (its body may still be on its way out).
    pub fn finish(&self) {
        self.finished.fetch_add(1, Ordering::Relaxed);
    }
}

/// One request being answered, from its head until its answer is made or dropped.
pub struct Answering(Arc<Progress>);

impl Answering {
    pub fn new(progress: &Arc<Progress>) -> Self {
        progress.begin();
        Answering(Arc::clone(progress))
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// A connection's socket, closed by the guard described above.
pub struct Watched<IO> {
    io: IO,
    period: Duration,
    progress: Arc<Progress>,
    /// Armed the first time the socket has nothing to read.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// `progress.begun` when the timer was last armed.
    begun: u32,
    /// Bytes were written since the timer was last armed.
    wrote: bool,
}

impl<IO> Watched<IO> {
    pub fn new(io: IO, period: Duration, progress: Arc<Progress>) -> Self {
        Watched {
            io,
            period,
            progress,
            timer: None,
            begun: 0,
            wrote: false,
        }
    }

    /// Called when a read would wait: `Ready(Err)` once a period has gone by idle.
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let period = self.period;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(period)));
        loop {
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let begun = self.progress.begun.load(Ordering::Relaxed);
            let busy = begun != self.progress.finished.load(Ordering::Relaxed);
            if begun == self.begun && !busy && !self.wrote {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no request within the header timeout",
                )));
            }
            self.begun = begun;
            self.wrote = false;
            timer
                .as_mut()
                .reset(tokio::time::Instant::now() + self.period);
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => match this.check(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(r) => Poll::Ready(r),
            },
            ready => ready,
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.wrote = true;
        }
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.wrote = true;
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    //! Real time, short periods and generous upper bounds: tokio's paused clock needs its
    //! `test-util` feature, which would also reach the benchmark's release binary.
    use super::*;
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn watched(
        period: Duration,
    ) -> (
        Watched<tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
        Arc<Progress>,
    ) {
        let (ours, theirs) = tokio::io::duplex(64);
        let progress = Arc::new(Progress::default());
        (
            Watched::new(ours, period, Arc::clone(&progress)),
            theirs,
            progress,
        )
    }

    /// A read that the guard never ends fails the test instead of hanging it.
    async fn bounded<T>(read: impl std::future::Future<Output = io::Result<T>>) -> io::Result<T> {
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("the guard never closed the connection")
    }

    #[tokio::test]
    async fn an_idle_connection_is_closed_after_a_period() {
        let (mut w, _peer, _) = watched(Duration::from_millis(200));
        let started = Instant::now();
        let mut buf = [0u8; 8];
        let e = bounded(w.read(&mut buf)).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
    }

    #[tokio::test]
    async fn requests_keep_it_open_and_their_end_starts_the_count() {
        let period = Duration::from_millis(600);
        let (mut w, mut peer, progress) = watched(period);
        let mut buf = [0u8; 8];
        // A request every 200 ms for 2 s: never idle for a whole period.
        let client = tokio::spawn(async move {
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                peer.write_all(b"x").await.unwrap();
            }
            peer
        });
        for _ in 0..10 {
            assert_eq!(bounded(w.read(&mut buf)).await.unwrap(), 1);
            progress.begin();
            progress.finish();
        }
        let _peer = client.await.unwrap();
        // Then silence: closed, after at least a period.
        let quiet = Instant::now();
        let e = bounded(w.read(&mut buf)).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(quiet.elapsed() >= period / 2, "{:?}", quiet.elapsed());
    }

    #[tokio::test]
    async fn an_answer_in_the_making_holds_it_open() {
        let (mut w, _peer, progress) = watched(Duration::from_millis(200));
        progress.begin();
        let mut buf = [0u8; 8];
        // A delayed answer takes over a second, five periods: the connection waits for it.
        let reading = tokio::time::timeout(Duration::from_millis(1000), w.read(&mut buf)).await;
        assert!(reading.is_err(), "closed while answering");
        progress.finish();
        let e = bounded(w.read(&mut buf)).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn a_head_dribbled_a_byte_at_a_time_is_cut_off() {
        let (mut w, mut peer, _) = watched(Duration::from_millis(300));
        let started = Instant::now();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if peer.write_all(b"a").await.is_err() {
                    break;
                }
            }
        });
        let mut buf = [0u8; 8];
        let e = loop {
            assert!(started.elapsed() < Duration::from_secs(20), "still open");
            match bounded(w.read(&mut buf)).await {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn writes_count_as_life() {
        let (w, mut peer, _) = watched(Duration::from_millis(300));
        let (mut reader, mut writer) = tokio::io::split(w);
        tokio::spawn(async move {
            let mut sink = Vec::new();
            let _ = peer.read_to_end(&mut sink).await;
        });
        let started = Instant::now();
        // A streamed answer: a chunk every 100 ms for 1.5 s, and no request meanwhile.
        let streaming = tokio::spawn(async move {
            for _ in 0..15 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                writer.write_all(b"data: x\n\n").await.unwrap();
            }
            writer
        });
        let mut buf = [0u8; 8];
        let e = bounded(reader.read(&mut buf)).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(1500),
            "closed mid-stream after {took:?}"
        );
        let _ = streaming.await;
    }
}
