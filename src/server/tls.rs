//! HTTPS for `aktovka server run --tls-cert F --tls-key F`: a PEM certificate chain and
//! private key loaded into a rustls [`ServerConfig`] (ring provider, TLS 1.2 and 1.3), and
//! [`TlsListener`], an axum [`Listener`] that completes each TLS handshake in its own task.
//!
//! Invariants:
//! - A certificate or key that cannot be used stops the server before it listens, with an
//!   error naming the file ([`TlsError`]); a key that does not belong to the certificate is
//!   caught there too, not at the first handshake.
//! - One connection never holds up another: handshakes run concurrently, each with a
//!   deadline ([`HANDSHAKE_TIMEOUT`]). A failed handshake drops that connection only. A
//!   client speaking plain HTTP to the TLS port gets a short `400` telling it to use
//!   `https://` and is disconnected.
//!
//! Called by [`super::api::serve_with`]; the certificate files come from src/cli/server.rs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take to finish its TLS handshake (or, for plain HTTP, to send
/// its first byte) before the connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a plain-HTTP client is given to read its `400` before the connection closes.
const PLAIN_HTTP_LINGER: Duration = Duration::from_secs(1);

/// The first byte of every TLS connection: a handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// What a plain-HTTP client on the TLS port is told before the connection closes.
const PLAIN_HTTP_BODY: &str =
    "server mluvi jen HTTPS, pouzijte https:// / this server speaks HTTPS: use https://\n";

/// Errors of loading the server's certificate and key; each names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Occurs when the certificate or key file is missing or unreadable.
    #[error("{path}: nelze přečíst / cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Occurs when a file is not valid PEM (a broken `-----BEGIN …` section).
    #[error("{path}: neplatný PEM / invalid PEM: {message}")]
    Pem { path: PathBuf, message: String },
    /// Occurs when the certificate file holds no `-----BEGIN CERTIFICATE-----` section.
    #[error(
        "{0}: žádný certifikát PEM (-----BEGIN CERTIFICATE-----) / no PEM certificate in the file"
    )]
    NoCertificate(PathBuf),
    /// Occurs when the key file holds no private key (PKCS#8, PKCS#1 or SEC1 PEM).
    #[error(
        "{0}: žádný soukromý klíč PEM (-----BEGIN PRIVATE KEY-----) / no PEM private key in the file"
    )]
    NoKey(PathBuf),
    /// Occurs when the key is of a kind rustls cannot sign with, or the certificate cannot
    /// be parsed.
    #[error("{path}: nepoužitelný / unusable: {message}")]
    Unusable { path: PathBuf, message: String },
    /// Occurs when the certificate is marked as a CA (`basicConstraints CA:TRUE`, what
    /// `openssl req -x509` makes by default): clients refuse it as a server's certificate.
    #[error(
        "{0}: certifikát je označen jako certifikační autorita (CA:TRUE), laptopy ho jako certifikát serveru odmítnou; vytvořte ho s -addext basicConstraints=critical,CA:FALSE / the certificate is marked as a CA (CA:TRUE), which laptops refuse as a server's certificate; make it with -addext basicConstraints=critical,CA:FALSE (docs/sync-protocol.md)"
    )]
    CaAsServerCertificate(PathBuf),
    /// Occurs when the certificate has expired or is not valid yet by this computer's clock.
    #[error(
        "{0}: certifikát teď neplatí (vypršel nebo ještě nezačal platit) / the certificate is not valid now (expired or not yet valid)"
    )]
    NotValidNow(PathBuf),
    /// Occurs when the private key does not belong to the certificate.
    #[error(
        "klíč {key} nepatří k certifikátu {cert} / the key {key} does not belong to the certificate {cert}"
    )]
    Mismatch { cert: PathBuf, key: PathBuf },
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn pem_error(path: &Path) -> impl Fn(rustls::pki_types::pem::Error) -> TlsError + '_ {
    move |e| TlsError::Pem {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Loads a PEM certificate chain (server certificate first, then any intermediates) and
/// its private key into a server configuration offering HTTP/1.1.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = read(cert)?;
    let key_pem = read(key)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error(cert))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.to_path_buf()));
    }
    let private = match PrivateKeyDer::from_pem_slice(&key_pem) {
        Ok(k) => k,
        Err(rustls::pki_types::pem::Error::NoItemsFound) => {
            return Err(TlsError::NoKey(key.to_path_buf()));
        }
        Err(e) => return Err(pem_error(key)(e)),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // Checked here rather than left to `with_single_cert` so the error can say which
    // file is at fault.
    let signing = provider
        .key_provider
        .load_private_key(private.clone_key())
        .map_err(|e| TlsError::Unusable {
            path: key.to_path_buf(),
            message: e.to_string(),
        })?;
    match CertifiedKey::new(chain.clone(), signing).keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            return Err(TlsError::Mismatch {
                cert: cert.to_path_buf(),
                key: key.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(TlsError::Unusable {
                path: cert.to_path_buf(),
                message: e.to_string(),
            });
        }
    }
    check_like_a_client(cert, &chain, &provider)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, private))
        .map_err(|e| TlsError::Unusable {
            path: cert.to_path_buf(),
            message: e.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Refuses a certificate that every client would refuse, whatever name the server is
/// reached by: a CA certificate used as the server's own, or one outside its validity.
/// A chain whose root is not in the file (a public CA's) cannot be checked here and passes.
fn check_like_a_client(
    path: &Path,
    chain: &[CertificateDer<'static>],
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<(), TlsError> {
    let (Some(end_entity), Ok(name)) = (chain.first(), ServerName::try_from("aktovka.invalid"))
    else {
        return Ok(());
    };
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(chain.iter().cloned());
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()
    else {
        return Ok(());
    };
    let verdict = verifier.verify_server_cert(end_entity, &chain[1..], &name, &[], UnixTime::now());
    match verdict {
        Err(rustls::Error::InvalidCertificate(e)) => match e {
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => {
                Err(TlsError::NotValidNow(path.to_path_buf()))
            }
            CertificateError::Other(other)
                if matches!(
                    other.0.downcast_ref::<webpki::Error>(),
                    Some(webpki::Error::CaUsedAsEndEntity)
                ) =>
            {
                Err(TlsError::CaAsServerCertificate(path.to_path_buf()))
            }
            // Above all "not valid for aktovka.invalid": the name is not known here.
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Accepts TCP connections and hands axum the ones whose TLS handshake succeeded.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp`; must be called inside a tokio runtime.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<TlsListener> {
        let addr = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(accept_loop(tcp, TlsAcceptor::from(config), tx));
        Ok(TlsListener { ready, addr })
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    while !tx.is_closed() {
        let (stream, peer) = match tcp.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning, as
                // axum's own listener does.
                eprintln!("aktovka server: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&acceptor, stream)).await {
                Ok(Ok(Some(tls))) => {
                    // Fails only when the server is shutting down.
                    let _ = tx.send((tls, peer)).await;
                }
                Ok(Ok(None)) => {}
                // Typically a laptop that does not trust the certificate (it sends an
                // alert): worth a line in the log for whoever sets the server up.
                Ok(Err(e)) => eprintln!("aktovka server: TLS handshake with {peer}: {e}"),
                Err(_) => {}
            }
        });
    }
}

/// The TLS stream, or `None` when the client spoke plain HTTP and was told to use HTTPS.
async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
) -> std::io::Result<Option<TlsStream<TcpStream>>> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 0 {
        return Ok(None);
    }
    if first[0] != TLS_HANDSHAKE_RECORD {
        let answer = format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{PLAIN_HTTP_BODY}",
            PLAIN_HTTP_BODY.len()
        );
        let mut rest = answer.as_bytes();
        while !rest.is_empty() {
            stream.writable().await?;
            match stream.try_write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        // Closing with the request still unread would reset the connection and the
        // client could lose the answer: read until the client closes (it does once it
        // has the answer), for a second at most.
        let _ = tokio::time::timeout(PLAIN_HTTP_LINGER, drain(&stream)).await;
        return Ok(None);
    }
    acceptor.accept(stream).await.map(Some)
}

/// Reads and discards until the peer closes or the connection fails.
async fn drain(stream: &TcpStream) -> std::io::Result<()> {
    let mut sink = [0u8; 4096];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut sink) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(c) => c,
            // The accept loop only ends when this listener is dropped, so this is never
            // reached while axum is asking; wait forever rather than invent a connection.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}
