//! Just enough of the W3C WebDriver protocol to drive Debian's Chromium through chromedriver:
//! open pages, find elements, click, type, run a line of script, read cookies, take screenshots.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

#[derive(Clone)]
pub struct Element(String);

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Driver {
        let exe =
            std::env::var("ZEREN_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {exe}: {e} (install chromium-driver)"));
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..100 {
            if let Ok(r) = d.http.get(format!("{}/status", d.base)).send().await {
                if r.status().is_success() {
                    return d;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on port {port}");
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().await.expect("webdriver request");
        let status = r.status();
        let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(Value::Null);
        assert!(status.is_success(), "webdriver {path}: {status} {v}");
        v["value"].clone()
    }

    /// A new headless Chromium session, in Chinese, phone-sized when `mobile`.
    pub async fn session(&self, mobile: bool) -> Session<'_> {
        let binary = std::env::var("ZEREN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let size = if mobile {
            "--window-size=375,900"
        } else {
            "--window-size=1280,1000"
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--lang=zh-CN", size],
                "prefs": {"intl.accept_languages": "zh-CN,zh"}
            }
        }}});
        let v = self
            .call(reqwest::Method::POST, "/session", Some(caps))
            .await;
        Session {
            driver: self,
            id: v["sessionId"].as_str().expect("session id").to_string(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session<'_> {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
            .await
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (up to 30 s: a busy machine is slow, never wrong) until the current URL ends with `suffix`: a click that navigates
    /// returns before the new page has loaded.
    pub async fn wait_url(&self, suffix: &str) -> String {
        let mut url = String::new();
        for _ in 0..300 {
            url = self.url().await;
            if url.ends_with(suffix) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        url
    }

    /// Waits (up to 30 s) until the page's source contains every one of `texts`, and returns it.
    pub async fn wait_for(&self, texts: &[&str]) -> String {
        let mut src = String::new();
        for _ in 0..300 {
            src = self.source().await;
            if texts.iter().all(|t| src.contains(t)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        src
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn find(&self, css: &str) -> Element {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        Element(
            v[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no element {css}"))
                .to_string(),
        )
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(|s| Element(s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn click(&self, e: &Element) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", e.0),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks what submits a form and waits for what the server answers — a new page, or a part
    /// of this one swapped in place — to show `texts`: a text the page already showed before the
    /// click cannot end the wait early.
    pub async fn submit_and_wait(&self, e: &Element, texts: &[&str]) -> String {
        let before = self.source().await;
        self.script("window.__zerenOldPage = true; return null")
            .await;
        // The button is pressed as the page's own script would press it: a click by coordinates
        // can land beside it when the page moves under it (the navigation's badges load late on
        // a busy machine and may wrap the header onto a second line).
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": "arguments[0].click(); return null", "args": [{ ELEMENT: e.0 }] })),
        )
        .await;
        let mut src = String::new();
        for _ in 0..300 {
            let fresh = self
                .script("return window.__zerenOldPage === undefined")
                .await
                .as_bool()
                .unwrap_or(false);
            src = self.source().await;
            if (fresh || src != before) && texts.iter().all(|t| src.contains(t)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        src
    }

    pub async fn type_into(&self, e: &Element, text: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn text(&self, e: &Element) -> String {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/text", e.0),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// The session cookie as a `name=value` pair, to fetch downloads in the same session.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let v = self
            .call(reqwest::Method::GET, &format!("/cookie/{name}"), None)
            .await;
        v["value"].as_str().map(|value| format!("{name}={value}"))
    }

    /// Saves a screenshot (PNG) for a person to look at after a run.
    pub async fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine as _;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(b64) = v.as_str() {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
                let _ = std::fs::write(path, bytes);
            }
        }
    }

    pub async fn quit(self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}
