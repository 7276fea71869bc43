//! Reading a cookie from request headers (the session and the language cookie).

use axum::http::HeaderMap;

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; zeren_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "zeren_session"), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
