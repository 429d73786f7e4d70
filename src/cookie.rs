//! The `_ALGOLIA` cookie: reading it out of `document.cookie` and writing the
//! strings assigned to `document.cookie`.

use crate::number::write_int;
use crate::token::UserToken;

/// The cookie search-insights keeps the anonymous user token in.
pub const COOKIE_NAME: &str = "_ALGOLIA";

/// The value of cookie `name` in a `document.cookie` string, read as
/// search-insights reads it (first match wins; empty when absent).
pub fn read<'a>(cookies: &'a str, name: &str) -> &'a str {
    crate::ascii::split(cookies, b';')
        .map(|pair| pair.trim_start_matches(' '))
        .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
        .unwrap_or("")
}

/// The anonymous token stored in the `_ALGOLIA` cookie, if the cookie holds a
/// valid one.
pub fn stored_anonymous_token(cookies: &str) -> Option<UserToken> {
    let value = read(cookies, COOKIE_NAME);
    UserToken::parse(value).ok().filter(UserToken::is_anonymous)
}

/// The latest expiry written: 9999-12-31T23:59:59Z. Browsers read only
/// four-digit years in cookie dates; past it they would ignore `expires` and
/// keep a session cookie.
pub const LATEST_EXPIRY_MS: f64 = 253_402_300_799_000.0;

/// The string to assign to `document.cookie` to store `token` until
/// `now_ms + duration_ms`: `_ALGOLIA=<token>;expires=<date>;path=/;SameSite=Lax`,
/// plus `;Secure` on https pages. The token's alphabet cannot carry `;`, so
/// this is always exactly one cookie with exactly these attributes.
///
/// The expiry is kept between the epoch (a date in the past: the browser
/// drops the cookie, as it does for any past date) and [`LATEST_EXPIRY_MS`],
/// so that whatever `cookieDuration` says, the date is one browsers read.
pub fn set_cookie_string(token: &UserToken, now_ms: f64, duration_ms: f64, secure: bool) -> String {
    let expires = now_ms + duration_ms;
    let expires = if expires.is_nan() { 0.0 } else { expires.clamp(0.0, LATEST_EXPIRY_MS) };
    let mut out = String::with_capacity(120);
    out.push_str(COOKIE_NAME);
    out.push('=');
    out.push_str(token.as_str());
    out.push_str(";expires=");
    http_date(expires, &mut out);
    out.push_str(";path=/;SameSite=Lax");
    if secure {
        out.push_str(";Secure");
    }
    out
}

/// The string that removes the `_ALGOLIA` cookie.
pub fn delete_cookie_string(secure: bool) -> String {
    let mut out = String::from(COOKIE_NAME);
    out.push_str("=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax");
    if secure {
        out.push_str(";Secure");
    }
    out
}

/// Appends `ms` (milliseconds since the epoch) as `Date.prototype.toUTCString`
/// does, e.g. `Sun, 22 Nov 2026 07:40:44 GMT`.
pub fn http_date(ms: f64, out: &mut String) {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    // Clamp to the range Date accepts (±8.64e15 ms); NaN becomes the epoch.
    let ms = if ms.is_nan() { 0.0 } else { ms.clamp(-8.64e15, 8.64e15) };
    let secs = (ms / 1000.0).floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    out.push_str(DAYS.get(days.rem_euclid(7) as usize).copied().unwrap_or("Thu"));
    out.push_str(", ");
    push2(day, out);
    out.push(' ');
    out.push_str(MONTHS.get((month - 1) as usize).copied().unwrap_or("Jan"));
    out.push(' ');
    write_int(year, out);
    out.push(' ');
    push2(rem / 3600, out);
    out.push(':');
    push2(rem / 60 % 60, out);
    out.push(':');
    push2(rem % 60, out);
    out.push_str(" GMT");
}

fn push2(n: i64, out: &mut String) {
    if n < 10 {
        out.push('0');
    }
    write_int(n, out);
}

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01
/// (Howard Hinnant's civil-from-days algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_search_insights() {
        let jar = "a=1; _ALGOLIA=anonymous-x; _ALGOLIA_2=y";
        assert_eq!(read(jar, "_ALGOLIA"), "anonymous-x");
        assert_eq!(read("x_ALGOLIA=1", "_ALGOLIA"), "");
        assert_eq!(read("", "_ALGOLIA"), "");
        assert_eq!(read("_ALGOLIA=", "_ALGOLIA"), "");
        assert_eq!(read("_ALGOLIAX=1;_ALGOLIA=2", "_ALGOLIA"), "2");
    }

    #[test]
    fn reuses_only_valid_anonymous_cookies() {
        let good = "_ALGOLIA=anonymous-0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(
            stored_anonymous_token(good).map(|t| t.as_str().to_owned()),
            Some("anonymous-0f8fad5b-d9cb-469f-a165-70867728950e".to_owned())
        );
        assert_eq!(stored_anonymous_token("_ALGOLIA=user-1"), None);
        assert_eq!(stored_anonymous_token("_ALGOLIA=anonymous-<script>"), None);
        assert_eq!(stored_anonymous_token("other=1"), None);
    }

    #[test]
    fn formats_one_cookie_with_the_attributes() {
        let token = UserToken::parse("anonymous-abc").expect("valid");
        let day = 86_400_000.0;
        let s = set_cookie_string(&token, 0.0, day, false);
        assert_eq!(s, "_ALGOLIA=anonymous-abc;expires=Fri, 02 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax");
        let s = set_cookie_string(&token, 0.0, day, true);
        assert!(s.ends_with(";SameSite=Lax;Secure"));
        assert_eq!(delete_cookie_string(false), "_ALGOLIA=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/;SameSite=Lax");
    }

    #[test]
    fn expiry_dates_stay_readable_by_browsers() {
        let token = UserToken::parse("anonymous-abc").expect("valid");
        let far = set_cookie_string(&token, 1.7e12, 9_007_199_254_740_992.0, true);
        assert_eq!(far, "_ALGOLIA=anonymous-abc;expires=Fri, 31 Dec 9999 23:59:59 GMT;path=/;SameSite=Lax;Secure");
        let past = set_cookie_string(&token, 1.7e12, -8.64e15, false);
        assert!(past.contains(";expires=Thu, 01 Jan 1970 00:00:00 GMT;"), "{past}");
        let nan = set_cookie_string(&token, f64::NAN, 1.0, false);
        assert!(nan.contains(";expires=Thu, 01 Jan 1970 00:00:00 GMT;"), "{nan}");
    }

    #[test]
    fn tokens_cannot_inject_attributes() {
        for bad in ["a;path=/x", "a; Secure", "a\nb", "a=b;domain=evil.com", "a,b", "a b"] {
            assert!(UserToken::parse(bad).is_err(), "{bad:?}");
        }
        // A cookie jar with a hostile _ALGOLIA value is never reused.
        assert_eq!(stored_anonymous_token("_ALGOLIA=anonymous-a b"), None);
    }

    #[test]
    fn http_dates_match_to_utc_string() {
        let mut s = String::new();
        http_date(1_795_333_244_000.0, &mut s);
        assert_eq!(s, "Sun, 22 Nov 2026 07:40:44 GMT");
        s.clear();
        http_date(951_782_400_000.0, &mut s); // leap day 2000
        assert_eq!(s, "Tue, 29 Feb 2000 00:00:00 GMT");
        s.clear();
        http_date(-1.0, &mut s);
        assert_eq!(s, "Wed, 31 Dec 1969 23:59:59 GMT");
        s.clear();
        http_date(f64::INFINITY, &mut s);
        assert!(s.ends_with("GMT"));
    }
}
