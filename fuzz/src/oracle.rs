//! What must hold whatever the input: every request the Insights API would
//! accept (the devserver's validator is the judge), every cookie string one
//! well-formed `_ALGOLIA` cookie, every error naming its method, and the API
//! key in no message.

use insights_devserver::ValidationRules;

use crate::page::Sent;
use crate::values::SECRET_API_KEY;

/// The API's limit on a request body.
pub const MAX_BODY_BYTES: usize = 2_000_000;

/// Why a string assigned to `document.cookie` is not exactly
/// `_ALGOLIA=<token>;expires=<date>;path=/;SameSite=Lax[;Secure]`, with
/// `;Secure` exactly on https pages, a token of `[A-Za-z0-9_=+/-]{1,129}`
/// (empty only to delete it, at the epoch) and a date browsers read.
pub fn check_cookie(cookie: &str, secure: bool) -> Result<(), String> {
    let rest = cookie.strip_prefix("_ALGOLIA=").ok_or("does not start with _ALGOLIA=")?;
    let (token, rest) = rest.split_once(';').ok_or("has no attributes")?;
    let date = rest.strip_prefix("expires=").ok_or("has no expires right after the value")?;
    let (date, rest) = date.split_once(';').ok_or("ends after expires")?;
    let expected = if secure { "path=/;SameSite=Lax;Secure" } else { "path=/;SameSite=Lax" };
    if rest != expected {
        return Err(format!("attributes after expires are {rest:?}, expected {expected:?}"));
    }
    check_http_date(date)?;
    if token.is_empty() {
        if date != "Thu, 01 Jan 1970 00:00:00 GMT" {
            return Err("an empty value that does not delete the cookie".to_owned());
        }
        return Ok(());
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'=' | b'+' | b'/' | b'-');
    if token.len() > 129 || !token.bytes().all(allowed) {
        return Err(format!("token {token:?} is not [A-Za-z0-9_=+/-]{{1,129}}"));
    }
    Ok(())
}

/// `Www, DD Mmm YYYY HH:MM:SS GMT` with a four-digit year from 1970.
fn check_http_date(date: &str) -> Result<(), String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let bad = || format!("expires {date:?} is not an HTTP date a browser reads");
    let parts: Vec<&str> = date.split(' ').collect();
    let [day, dd, month, year, time, "GMT"] = parts.as_slice() else { return Err(bad()) };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
    let time_ok = time.split(':').collect::<Vec<_>>().as_slice().len() == 3
        && time.split(':').all(|t| digits(t, 2))
        && time.split(':').map(number).zip([23, 59, 59]).all(|(v, max)| v <= max);
    let ok = day.strip_suffix(',').is_some_and(|d| DAYS.contains(&d))
        && digits(dd, 2)
        && (1..=31).contains(&number(dd))
        && MONTHS.contains(month)
        && digits(year, 4)
        && number(year) >= 1970
        && time_ok;
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The value of query parameter `name` in `url`, raw.
fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let (_, query) = url.split_once('?')?;
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Why the Insights API would refuse `sent`: credentials missing from the URL,
/// a body too large or not JSON, or an event its rules reject. `max_age_ms`
/// is the oldest event age the page allowed (the API's 4 days unless `init`
/// raised `maxEventAge`).
pub fn check_request(sent: &Sent, max_age_ms: f64) -> Result<(), String> {
    let url = &sent.request.url;
    if !(url.starts_with("http://") || url.starts_with("https://")) || !url.contains("/1/events?") {
        return Err(format!("not an events URL: {url:?}"));
    }
    if url.len() > 8192 {
        return Err(format!("a URL of {} bytes (servers refuse request lines past 8 KB)", url.len()));
    }
    for name in ["X-Algolia-Application-Id", "X-Algolia-API-Key"] {
        if query_param(url, name).is_none_or(str::is_empty) {
            return Err(format!("no {name} in {url:?} (the API answers 401)"));
        }
    }
    let body = &sent.request.body;
    if body.len() > MAX_BODY_BYTES {
        return Err(format!("a body of {} bytes (the API answers 413)", body.len()));
    }
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("the body is not JSON ({e})"))?;
    let rules = ValidationRules {
        max_event_age_ms: if max_age_ms.is_finite() { max_age_ms.max(0.0) as i64 } else { i64::MAX },
        max_future_skew_ms: 3_600_000,
    };
    insights_devserver::validate_batch(&json, &rules, sent.at as i64)
}

/// Why an error message thrown by `method` breaks the rules: it must start
/// with `method: ` and must not contain the API key unless the caller passed
/// the key itself in the arguments (then it may be quoted back).
pub fn check_error(method: &str, message: &str, key_in_arguments: bool) -> Result<(), String> {
    if !message.starts_with(&format!("{method}: ")) {
        return Err(format!("the error does not start with `{method}: `: {message:?}"));
    }
    if !key_in_arguments && message.contains(SECRET_API_KEY) {
        return Err(format!("the error shows the API key: {message:?}"));
    }
    Ok(())
}

/// Why a console line is not acceptable: it shows the API key.
pub fn check_console(line: &str) -> Result<(), String> {
    if line.contains(SECRET_API_KEY) {
        return Err(format!("the console shows the API key: {line:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies() {
        let good = "_ALGOLIA=anonymous-1;expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax";
        assert_eq!(check_cookie(good, false), Ok(()));
        assert!(check_cookie(good, true).is_err(), "Secure is required on https");
        assert!(check_cookie(&format!("{good};Secure"), false).is_err());
        assert!(check_cookie("_ALGOLIA=a;b;expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax", false).is_err());
        assert!(check_cookie("_ALGOLIA=a b;expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax", false).is_err());
        assert!(check_cookie("_ALGOLIA=a;expires=Fri, 02 Jan 999 00:00:00 GMT;path=/;SameSite=Lax", false).is_err());
        assert!(check_cookie("_ALGOLIA=;expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax", false).is_err());
        assert_eq!(check_cookie("_ALGOLIA=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax", false), Ok(()));
    }

    #[test]
    fn errors_and_console() {
        assert!(check_error("init", "init: `appId` must be a string, got number", false).is_ok());
        assert!(check_error("init", "setUserToken: x", false).is_err());
        assert!(check_error("init", &format!("init: {SECRET_API_KEY}"), false).is_err());
        assert!(check_console(&format!("refused ?X-Algolia-API-Key={SECRET_API_KEY}")).is_err());
    }
}
