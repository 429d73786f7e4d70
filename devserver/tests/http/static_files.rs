//! `--www` and `--pkg` static files.

use std::path::PathBuf;

use insights_devserver::Config;

use crate::common::*;

fn site() -> (PathBuf, PathBuf, PathBuf) {
    let root = temp_dir("static");
    let www = root.join("www");
    let pkg = root.join("pkg");
    std::fs::create_dir_all(www.join("sub")).expect("www");
    std::fs::create_dir_all(&pkg).expect("pkg");
    std::fs::write(www.join("index.html"), "<h1>store</h1>").expect("write");
    std::fs::write(www.join("sub/index.html"), "<h1>sub</h1>").expect("write");
    std::fs::write(www.join("app.mjs"), "export {}").expect("write");
    std::fs::write(www.join("debugger"), "not the debugger").expect("write");
    std::fs::write(www.join("csp.html"), "<p>strict</p>").expect("write");
    std::fs::write(
        www.join("csp.html.headers"),
        "# served with a strict policy\nContent-Security-Policy: default-src 'self'; connect-src 'self'\nX-Test: sidecar\n",
    )
    .expect("write");
    std::fs::write(pkg.join("tracker_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(pkg.join("tracker.js"), "export default 1;").expect("write");
    (root, www, pkg)
}

#[tokio::test]
async fn files_are_served_with_the_right_types_and_no_caching() {
    let (root, www, pkg) = site();
    let server = start_with(Config {
        www: Some(www),
        pkg: Some(pkg),
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();

    let index = get(addr, "/").await;
    assert_eq!(index.status, 200);
    assert_eq!(index.text(), "<h1>store</h1>");
    assert!(index
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    assert_eq!(index.header("cache-control").as_deref(), Some("no-store"));

    assert_eq!(get(addr, "/sub/").await.text(), "<h1>sub</h1>");
    let module = get(addr, "/app.mjs").await;
    assert!(module
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/javascript"));

    let wasm = get(addr, "/pkg/tracker_bg.wasm").await;
    assert_eq!(wasm.status, 200);
    assert_eq!(
        wasm.header("content-type").as_deref(),
        Some("application/wasm")
    );
    assert_eq!(wasm.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(&wasm.body[..4], b"\0asm");
    let js = get(addr, "/pkg/tracker.js").await;
    assert!(js
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/javascript"));

    assert_eq!(get(addr, "/missing.html").await.status, 404);
    assert_eq!(get(addr, "/pkg/missing.wasm").await.status, 404);
    assert_eq!(get(addr, "/%2e%2e/%2e%2e/etc/passwd").await.status, 404);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn sidecar_headers_are_added() {
    let (root, www, _pkg) = site();
    let server = start_with(Config {
        www: Some(www),
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let page = get(addr, "/csp.html").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-security-policy").as_deref(),
        Some("default-src 'self'; connect-src 'self'")
    );
    assert_eq!(page.header("x-test").as_deref(), Some("sidecar"));
    assert!(get(addr, "/index.html")
        .await
        .header("content-security-policy")
        .is_none());
    assert_eq!(get(addr, "/csp.html.headers").await.status, 404);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn routes_take_precedence_over_files() {
    let (root, www, _pkg) = site();
    let server = start_with(Config {
        www: Some(www),
        ..Config::default()
    })
    .await;
    let page = get(server.local_addr(), "/debugger").await;
    assert!(page.text().contains("Insights events debugger"));
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn without_www_the_root_leads_to_the_debugger() {
    let server = start().await;
    let addr = server.local_addr();
    let root = get(addr, "/").await;
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location").as_deref(), Some("/debugger"));
    assert_eq!(get(addr, "/pkg/anything.wasm").await.status, 404);
}
