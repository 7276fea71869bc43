//! A group robot receiver on loopback that answers like 钉钉, 企业微信 and 飞书 do: it checks the
//! token, the IP allow-list, the signature (computed here on its own, from the platforms'
//! documentation), the keyword, the size and the rate (20 a minute for 钉钉 and 企业微信; 100 a
//! minute and 5 a second for 飞书), and answers with the platforms' codes and words. Tests may
//! shorten its minute (and second) — as they shorten the server's — but not the counts.
//!
//! Addresses: `/robot/send?access_token=T` (钉钉), `/cgi-bin/webhook/send?key=T` (企业微信),
//! `/open-apis/bot/v2/hook/T` (飞书).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// A robot the receiver knows, by its token.
#[derive(Clone, Debug, Default)]
pub struct Robot {
    pub secret: String,
    pub keyword: String,
    /// Addresses allowed to call; empty: any. (Calls come from 127.0.0.1.)
    pub allow: Vec<String>,
}

/// A message the receiver accepted.
#[derive(Clone, Debug)]
pub struct Got {
    pub platform: &'static str,
    pub token: String,
    pub body: Value,
    pub bytes: usize,
    pub at: DateTime<Utc>,
}

impl Got {
    /// The text of the message, whatever its kind.
    pub fn text(&self) -> String {
        let b = &self.body;
        b["markdown"]["text"]
            .as_str()
            .or(b["markdown"]["content"].as_str())
            .or(b["text"]["content"].as_str())
            .or(b["content"]["text"].as_str())
            .unwrap_or("")
            .to_string()
    }
}

#[derive(Default)]
struct Inner {
    robots: HashMap<String, Robot>,
    got: Vec<Got>,
    /// Refusals, as (token, code).
    refused: Vec<(String, i64)>,
    /// Accepted calls by token, for the rate limits.
    times: HashMap<String, Vec<DateTime<Utc>>>,
}

#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    minute: Duration,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// A receiver on a free loopback port whose platforms' minute lasts `minute`.
    pub async fn start(minute: Duration) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let r = Receiver {
            base,
            minute,
            inner: Arc::default(),
        };
        let me = r.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, body: Bytes| {
            let me = me.clone();
            async move { me.answer(&uri, &body) }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        r
    }

    pub fn add(&self, token: &str, robot: Robot) {
        self.inner
            .lock()
            .unwrap()
            .robots
            .insert(token.to_string(), robot);
    }

    pub fn got(&self) -> Vec<Got> {
        self.inner.lock().unwrap().got.clone()
    }

    pub fn refused(&self) -> Vec<(String, i64)> {
        self.inner.lock().unwrap().refused.clone()
    }

    pub fn dingtalk(&self, token: &str) -> String {
        format!("{}/robot/send?access_token={token}", self.base)
    }

    pub fn wecom(&self, token: &str) -> String {
        format!("{}/cgi-bin/webhook/send?key={token}", self.base)
    }

    pub fn feishu(&self, token: &str) -> String {
        format!("{}/open-apis/bot/v2/hook/{token}", self.base)
    }

    fn answer(&self, uri: &Uri, body: &Bytes) -> Response {
        let query: HashMap<String, String> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), percent_decode(v)))
            .collect();
        let path = uri.path();
        let (platform, token) = if path == "/robot/send" {
            (
                "dingtalk",
                query.get("access_token").cloned().unwrap_or_default(),
            )
        } else if path == "/cgi-bin/webhook/send" {
            ("wecom", query.get("key").cloned().unwrap_or_default())
        } else if let Some(t) = path.strip_prefix("/open-apis/bot/v2/hook/") {
            ("feishu", t.to_string())
        } else {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        };
        let now = Utc::now();
        let mut inner = self.inner.lock().unwrap();
        let outcome = self.check(&mut inner, platform, &token, &query, body, now);
        match outcome {
            Ok(v) => {
                inner.times.entry(token.clone()).or_default().push(now);
                inner.got.push(Got {
                    platform,
                    token,
                    bytes: body.len(),
                    body: v,
                    at: now,
                });
                axum::Json(match platform {
                    "feishu" => json!({ "StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success" }),
                    _ => json!({ "errcode": 0, "errmsg": "ok" }),
                })
                .into_response()
            }
            Err((code, words)) => {
                inner.refused.push((token, code));
                axum::Json(match platform {
                    "feishu" => json!({ "code": code, "data": {}, "msg": words }),
                    _ => json!({ "errcode": code, "errmsg": words }),
                })
                .into_response()
            }
        }
    }

    fn check(
        &self,
        inner: &mut Inner,
        platform: &str,
        token: &str,
        query: &HashMap<String, String>,
        body: &Bytes,
        now: DateTime<Utc>,
    ) -> Result<Value, (i64, String)> {
        let robot = inner.robots.get(token).cloned();
        let v: Value = serde_json::from_slice(body).map_err(|_| match platform {
            "feishu" => (9499, "Bad Request".to_string()),
            _ => (400, "invalid json".to_string()),
        })?;
        let got = Got {
            platform: "",
            token: String::new(),
            body: v.clone(),
            bytes: 0,
            at: now,
        };
        let text = got.text();
        let title = v["markdown"]["title"].as_str().unwrap_or("").to_string();
        let recent = |window: Duration| {
            inner
                .times
                .get(token)
                .map(|t| t.iter().filter(|t| **t > now - window).count())
                .unwrap_or(0)
        };
        match platform {
            "dingtalk" => {
                let Some(robot) = robot else {
                    return Err((300001, "token is not exist".into()));
                };
                if !robot.allow.is_empty() && !robot.allow.iter().any(|a| a == "127.0.0.1") {
                    return Err((310000, "ip 127.0.0.1 not in whitelist, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]".into()));
                }
                if !robot.secret.is_empty() {
                    let ts = query.get("timestamp").and_then(|t| t.parse::<i64>().ok());
                    let sign = query.get("sign").cloned().unwrap_or_default();
                    let ok = ts.is_some_and(|ts| {
                        (now.timestamp_millis() - ts).abs() < 3_600_000
                            && sign
                                == hmac_b64(
                                    robot.secret.as_bytes(),
                                    format!("{ts}\n{}", robot.secret).as_bytes(),
                                )
                    });
                    if !ok {
                        return Err((310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]".into()));
                    }
                }
                if !robot.keyword.is_empty()
                    && !text.contains(&robot.keyword)
                    && !title.contains(&robot.keyword)
                {
                    return Err((310000, "keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]".into()));
                }
                if body.len() > 20_480 {
                    return Err((460101, "message too long, exceed 20000 bytes".into()));
                }
                if recent(self.minute) >= 20 {
                    return Err((130101, "send too fast, exceed 20 times per minute".into()));
                }
            }
            "wecom" => {
                if robot.is_none() {
                    return Err((93000, "invalid webhook url, hint: [1]".into()));
                }
                match v["msgtype"].as_str() {
                    Some("markdown") if text.len() > 4096 => {
                        return Err((
                            40058,
                            "markdown.content exceed max length 4096. invalid Request Parameter"
                                .into(),
                        ))
                    }
                    Some("text") if text.len() > 2048 => {
                        return Err((
                            40058,
                            "content exceed max length 2048. invalid Request Parameter".into(),
                        ))
                    }
                    Some("markdown") | Some("text") => {}
                    _ => return Err((40008, "invalid message type".into())),
                }
                if recent(self.minute) >= 20 {
                    return Err((45009, "api freq out of limit".into()));
                }
            }
            _ => {
                let Some(robot) = robot else {
                    return Err((
                        19001,
                        "param invalid: incoming webhook access token invalid".into(),
                    ));
                };
                if !robot.allow.is_empty() && !robot.allow.iter().any(|a| a == "127.0.0.1") {
                    return Err((19022, "Ip Not Allowed".into()));
                }
                if !robot.secret.is_empty() {
                    let ts = v["timestamp"].as_str().and_then(|t| t.parse::<i64>().ok());
                    let sign = v["sign"].as_str().unwrap_or("");
                    let ok = ts.is_some_and(|ts| {
                        (now.timestamp() - ts).abs() < 3600
                            && sign == hmac_b64(format!("{ts}\n{}", robot.secret).as_bytes(), b"")
                    });
                    if !ok {
                        return Err((
                            19021,
                            "sign match fail or timestamp is not within one hour from current time"
                                .into(),
                        ));
                    }
                }
                if !robot.keyword.is_empty() && !text.contains(&robot.keyword) {
                    return Err((19024, "Key Words Not Found".into()));
                }
                if body.len() > 20_480 {
                    return Err((9499, "request body too large".into()));
                }
                let second = self.minute / 60;
                if recent(self.minute) >= 100 || recent(second) >= 5 {
                    return Err((
                        11232,
                        "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]".into(),
                    ));
                }
            }
        }
        Ok(v)
    }
}

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(n) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
