//! Static files: `--www DIR` at `/`, `--pkg DIR` at `/pkg/`.
//!
//! Never cached (`Cache-Control: no-store`), `.wasm` as `application/wasm`,
//! and a sidecar `X.headers` (lines `Name: value`) adds headers to `X`.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::api_error::status_json;
use crate::state::AppState;

const SIDECAR_SUFFIX: &str = ".headers";

/// `Content-Type` for a file name.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "xml" => "application/xml",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Maps a URL path below a mount point to a file below `root`, refusing
/// anything that would leave `root` (`..`, absolute parts, backslashes).
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for segment in url_path.split('/') {
        let segment = percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .ok()?;
        if segment.is_empty() || segment == "." {
            continue;
        }
        if segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        let mut components = Path::new(segment.as_ref()).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(part)), None) => path.push(part),
            _ => return None,
        }
    }
    Some(path)
}

/// Headers listed in `X.headers` next to `X`. Blank lines and `#` comments
/// are skipped; malformed lines are reported on stderr and skipped.
async fn sidecar_headers(file: &Path) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut sidecar = file.as_os_str().to_owned();
    sidecar.push(SIDECAR_SUFFIX);
    let Ok(text) = tokio::fs::read_to_string(PathBuf::from(sidecar)).await else {
        return headers;
    };
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let parsed = line.split_once(':').and_then(|(name, value)| {
            let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
            let value = HeaderValue::from_str(value.trim()).ok()?;
            Some((name, value))
        });
        match parsed {
            Some((name, value)) => {
                headers.append(name, value);
            }
            None => eprintln!(
                "insights-devserver: ignoring bad header line in {}.headers: {line}",
                file.display()
            ),
        }
    }
    headers
}

fn not_found() -> Response {
    status_json(StatusCode::NOT_FOUND, "Not Found")
}

/// Serves `url_path` from `root` (directories → their `index.html`).
async fn serve(root: &Path, url_path: &str, method: &Method) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return status_json(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let Some(mut file) = resolve(root, url_path) else {
        return not_found();
    };
    if file.to_string_lossy().ends_with(SIDECAR_SUFFIX) {
        return not_found();
    }
    if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        if !url_path.is_empty() && !url_path.ends_with('/') {
            // Let relative URLs inside the directory resolve against it.
            let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
            if let Ok(location) =
                HeaderValue::from_str(&format!("{}/", url_path.rsplit('/').next().unwrap_or("")))
            {
                response.headers_mut().insert(LOCATION, location);
            }
            return response;
        }
        file.push("index.html");
    }
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return not_found();
    };
    let mut response = if method == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(bytes))
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let extra = sidecar_headers(&file).await;
    for name in extra.keys() {
        headers.remove(name);
    }
    for (name, value) in &extra {
        headers.append(name.clone(), value.clone());
    }
    response
}

/// `GET /pkg/{*path}` from `--pkg`.
pub async fn pkg_file(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    method: Method,
) -> Response {
    match state.pkg() {
        Some(root) => serve(root, &path, &method).await,
        None => not_found(),
    }
}

/// Everything no other route claims: `--www` files, or a redirect from `/`
/// to the debugger when no `--www` is given.
pub async fn www_file(State(state): State<AppState>, uri: Uri, method: Method) -> Response {
    match state.www() {
        Some(root) => serve(root, uri.path().trim_start_matches('/'), &method).await,
        None if uri.path() == "/" => {
            let mut response = StatusCode::FOUND.into_response();
            response
                .headers_mut()
                .insert(LOCATION, HeaderValue::from_static("/debugger"));
            response
        }
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_inside_root() {
        let root = Path::new("/srv/www");
        assert_eq!(
            resolve(root, "a/b.js"),
            Some(PathBuf::from("/srv/www/a/b.js"))
        );
        assert_eq!(resolve(root, ""), Some(PathBuf::from("/srv/www")));
        assert_eq!(resolve(root, "a/../../etc/passwd"), None);
        assert_eq!(resolve(root, "%2e%2e/secret"), None);
        assert_eq!(resolve(root, "a%2F..%2F..%2Fx"), None);
        assert_eq!(resolve(root, "a\\..\\x"), None);
    }

    #[test]
    fn mime_types() {
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.html")),
            "text/html; charset=utf-8"
        );
    }
}
