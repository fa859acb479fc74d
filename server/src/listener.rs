//! The accept loop. `axum::serve` sets no timer on hyper, so hyper's header-read timeout is off
//! and a client that sends its headers one byte at a time (slow loris) holds a connection for
//! as long as it likes. This loop serves each connection with a timer, the header timeout, and a
//! cap on open connections, and drains them on shutdown.
//!
//! HTTP/1.1 only. hyper-util's auto builder first reads the bytes that tell HTTP/1 from HTTP/2
//! with no timer at all, so a client that connects and sends nothing would keep its slot for
//! ever (and 4,096 of them would lock everyone out). Browsers speak HTTP/2 only over TLS, which
//! a proxy in front terminates; proxies speak HTTP/1.1 to their backends. hyper's HTTP/1 header
//! timer runs from the moment a request head is awaited: on a new connection that sends nothing,
//! and between the requests of a kept-alive one.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::limits::Limits;

/// Serves `app` on `listener` until `shutdown` completes, then waits (at most 30 s) for the
/// requests in progress.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // A connection slot first: past the cap, new clients wait in the kernel's queue.
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // e.g. out of file descriptors: wait rather than spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            app.clone().oneshot(req)
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer}: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("shut down with requests still in progress after 30 s");
        }
    }
    Ok(())
}
