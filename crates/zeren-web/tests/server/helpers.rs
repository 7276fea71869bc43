//! `spawn_app` (a server on port 0 with a fresh database) and a small cookie-keeping client.

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::{HashAlg, Read, Store};
use zeren_web::{AppState, Config};

pub const PASSWORD: &str = "Zeren-Passw0rd!";

/// The key robots' secrets are sealed with, the same for every instance of a test.
pub fn test_seal_key() -> zeren_web::secrets::SealKey {
    zeren_web::secrets::SealKey::from_bytes([7; 32])
}

pub struct App {
    pub base: String,
    pub store: Store,
    /// The server's state: tests set the incident wall clock through it.
    pub state: AppState,
    pub db: Option<TestDb>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub async fn spawn_app(db: TestDb) -> App {
    spawn_app_with(db, |_| {}).await
}

/// [`spawn_app`] with a configuration changed by `adjust` (a small upload limit, say).
pub async fn spawn_app_with(db: TestDb, adjust: impl FnOnce(&mut Config)) -> App {
    spawn_app_on(db, adjust, None).await
}

/// [`spawn_app`] with a pool of `connections` database connections.
pub async fn spawn_app_pooled(db: TestDb, connections: u32) -> App {
    spawn_app_on(db, |_| {}, Some(connections)).await
}

async fn spawn_app_on(
    db: TestDb,
    adjust: impl FnOnce(&mut Config),
    connections: Option<u32>,
) -> App {
    let mut config = Config {
        database_url: Some(db.url.clone()),
        ..Config::default()
    };
    adjust(&mut config);
    let mut options = zeren_store::OpenOptions::new(HashAlg::Sha256);
    options.max_connections = connections;
    let store = Store::open_with(&db.url, options)
        .await
        .expect("open store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(store.clone(), config).with_seal_key(test_seal_key());
    let server = tokio::spawn(zeren_web::serve(listener, state.clone(), async {
        let _ = rx.await;
    }));
    App {
        base,
        store,
        state,
        db: Some(db),
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl App {
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// Finish first-run setup with a bundled pack; returns the top unit's id.
    pub async fn setup(&self, pack: &str, unit_name: &str) -> i64 {
        let c = self.client();
        let r = c
            .multipart(
                "/setup",
                &[
                    ("pack", None, pack.as_bytes()),
                    ("unit_name", None, unit_name.as_bytes()),
                    ("unit_kind", None, "学校".as_bytes()),
                    ("system_username", None, b"sysadmin"),
                    ("system_password", None, PASSWORD.as_bytes()),
                    ("security_username", None, b"secadmin"),
                    ("security_password", None, PASSWORD.as_bytes()),
                    ("audit_username", None, b"auditadmin"),
                    ("audit_password", None, PASSWORD.as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        self.store
            .reader()
            .await
            .unwrap()
            .root_units()
            .await
            .unwrap()[0]
            .id
    }

    pub async fn login(&self, user: &str) -> Client {
        let mut c = self.client();
        c.login(user, PASSWORD).await;
        c
    }

    /// Another server on the same database, as a second instance behind a load balancer.
    pub async fn second_instance(&self) -> App {
        let url = self.db.as_ref().unwrap().url.clone();
        let config = Config {
            database_url: Some(url.clone()),
            ..Config::default()
        };
        let store = Store::open(&url, HashAlg::Sha256)
            .await
            .expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone(), config).with_seal_key(test_seal_key());
        let server = tokio::spawn(zeren_web::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        App {
            base,
            store,
            state,
            db: None,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Stop the server gracefully and drop its database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            s.await.unwrap().unwrap();
        }
        self.store.close().await;
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub text: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The id at the end of a redirect like `/units/7`.
    pub fn location_id(&self) -> i64 {
        self.location()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("no id in {:?}", self.location()))
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    /// Send a matching Origin header (as browsers do); tests of forged requests turn it off.
    pub origin: bool,
    /// An `X-Forwarded-For` header, as a reverse proxy adds.
    pub forwarded_for: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            base: base.to_string(),
            cookie: None,
            csrf: None,
            bearer: None,
            origin: true,
            forwarded_for: None,
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = &self.cookie {
            h.insert(COOKIE, HeaderValue::from_str(c).unwrap());
        }
        if let Some(b) = &self.bearer {
            h.insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {b}")).unwrap(),
            );
        }
        if self.origin {
            h.insert(ORIGIN, HeaderValue::from_str(&self.base).unwrap());
        }
        if let Some(f) = &self.forwarded_for {
            h.insert("x-forwarded-for", HeaderValue::from_str(f).unwrap());
        }
        h
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let req = req.headers(self.headers()).build().expect("request");
        let method = req.method().to_string();
        let path = req.url().path().to_string();
        let r = self.http.execute(req).await.expect("request");
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.bytes().await.unwrap().to_vec();
        let text = String::from_utf8_lossy(&body).into_owned();
        // Every API answer must be what the OpenAPI document says.
        if let Some(api_path) = path.strip_prefix("/api/v1") {
            if let Err(e) = crate::schema::check(&method, api_path, status.as_u16(), &body) {
                panic!("the API answer does not match the OpenAPI document: {e}");
            }
        }
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// A form posted by htmx (the `HX-Request` header set): the answer is a fragment.
    pub async fn form_hx(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        if let Some(t) = &self.csrf {
            body.push(format!("_csrf={t}"));
        }
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("hx-request", "true")
            .body(body.join("&"));
        self.send(req).await
    }

    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        if let Some(t) = &self.csrf {
            body.push(format!("_csrf={t}"));
        }
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.join("&"));
        self.send(req).await
    }

    /// A multipart form; the CSRF token goes in the query string as the pages do.
    pub async fn multipart(&self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Resp {
        let boundary = "zerenboundary7f3a9c";
        let mut body = Vec::new();
        for (name, file, data) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
            }
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let url = match &self.csrf {
            Some(t) => format!(
                "{}{path}{}_csrf={t}",
                self.base,
                if path.contains('?') { "&" } else { "?" }
            ),
            None => format!("{}{path}", self.base),
        };
        let req = self
            .http
            .post(url)
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(req).await
    }

    pub async fn json(&self, path: &str, value: serde_json::Value) -> Resp {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/json")
            .body(value.to_string());
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        self.send(req).await
    }

    pub async fn raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        self.send(req).await
    }

    pub async fn try_login(&mut self, user: &str, password: &str) -> Resp {
        let r = self
            .form("/login", &[("username", user), ("password", password)])
            .await;
        if let Some(c) = r.headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = c.split(';').next().unwrap().to_string();
            if !pair.ends_with('=') {
                self.cookie = Some(pair);
                let me = self.get("/me").await;
                assert_eq!(me.status, StatusCode::OK, "{}", me.text);
                self.csrf = Some(csrf_of(&me.text));
            }
        }
        r
    }

    pub async fn login(&mut self, user: &str, password: &str) {
        let r = self.try_login(user, password).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {user}: {}",
            r.text
        );
    }
}

/// The value of a hidden input or the text of a textarea named `name` in a page.
pub fn field_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    let rest = &html[at..];
    let raw = if let Some(v) = rest.strip_prefix(" value=\"") {
        v.split('"').next().unwrap()
    } else {
        // Like a browser, drop the one newline that follows the opening tag.
        let start = rest.find('>').unwrap() + 1;
        let start = if rest[start..].starts_with('\n') {
            start + 1
        } else {
            start
        };
        &rest[start..start + rest[start..].find("</textarea>").unwrap()]
    };
    unescape(raw)
}

pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The CSRF token a page carries in its htmx headers.
pub fn csrf_of(html: &str) -> String {
    let marker = "\"X-CSRF-Token\": \"";
    let at = html.find(marker).expect("page has a CSRF token") + marker.len();
    html[at..at + 64].to_string()
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A valid resident ID number (GB 11643) for the n-th test person.
pub fn resident_id(n: u32) -> String {
    let body = format!(
        "110105198{:01}{:02}{:02}{:03}",
        n % 10,
        1 + n % 12,
        1 + n % 28,
        n % 1000
    );
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Every unit's obligations materialised month by month from `from` to today, as a server that
/// ran all along would have them.
pub async fn materialise_since(app: &App, from: chrono::NaiveDate) {
    let cal = zeren_policy::calendar::WorkCalendar::bundled();
    let today = zeren_web::today();
    let mut d = from;
    while d < today {
        zeren_store::materialise::materialise_all(&app.store, d, &cal)
            .await
            .unwrap();
        d = d.checked_add_months(chrono::Months::new(1)).unwrap();
    }
}

/// The district pack's quarterly studies of `unit` due in `year`, the first `done` of them
/// recorded on time (on their period's first day); with the records' ids.
pub async fn record_studies(
    app: &App,
    unit: i64,
    year: i32,
    done: usize,
) -> (Vec<zeren_store::ledger::ObligationProgress>, Vec<i64>) {
    use zeren_store::ledger::{LedgerRead, NewVersion, ObligationFilter};
    let studies: Vec<_> = app
        .store
        .reader()
        .await
        .unwrap()
        .obligations(&ObligationFilter {
            unit: Some(unit),
            duty: Some("quarterly_study".into()),
            ..ObligationFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|p| chrono::Datelike::year(&p.obligation.due_on) == year)
        .collect();
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let mut records = Vec::new();
    for p in &studies[..done] {
        let r = w
            .create_record(
                p.obligation.id,
                &NewVersion {
                    work_date: p.obligation.period_start,
                    content: "专题学习".into(),
                    ..NewVersion::default()
                },
            )
            .await
            .unwrap();
        records.push(r.record.id);
    }
    w.commit().await.unwrap();
    (studies, records)
}
