//! Tokio's echo server for scripts/netbench, as Tokio's tutorial writes it: the accept loop in
//! `block_on`, a task per connection that copies the socket into itself with `io::copy` (an
//! 8 KiB buffer owned by the connection). TCP_NODELAY, as every server in the suite sets it.
//!
//! Usage: tokio-echo [WORKERS] [PORT]; WORKERS 0 is the current-thread runtime.
//! Prints "listening 127.0.0.1:PORT", then serves until killed.
use tokio::net::TcpListener;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let workers: usize = args.next().map_or(2, |a| a.parse().expect("WORKERS must be a number"));
    let port: u16 = args.next().map_or(0, |a| a.parse().expect("PORT must be a number"));
    let runtime = if workers == 0 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()?
    };
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening {}", listener.local_addr()?);
        loop {
            let (mut socket, _) = listener.accept().await?;
            socket.set_nodelay(true)?;
            tokio::spawn(async move {
                let (mut rd, mut wr) = socket.split();
                let _ = tokio::io::copy(&mut rd, &mut wr).await;
            });
        }
    })
}
