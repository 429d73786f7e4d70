// An https origin in front of the local endpoint, for the tests that need a
// page served over TLS (the devserver speaks plain http only): a Node `https`
// server with a self-signed certificate made by `openssl` at test time, which
// forwards every request, unchanged, to the devserver and its answer back.
// Pages and the events they send both go through it, so the page is https and
// its requests are same-origin (a page on https may not send to http).
// Browsers accept the certificate only in a session opened with
// `acceptInsecureCerts: true`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OPENSSL = "/usr/bin/openssl";

/** A self-signed certificate for 127.0.0.1 and localhost, valid for two days: `{key, cert}` (PEM). */
export function selfSignedCertificate() {
  if (!existsSync(OPENSSL)) throw new Error(`${OPENSSL} not found: run scripts/setup.sh (make test does)`);
  const dir = mkdtempSync(join(tmpdir(), "insights-tls-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      OPENSSL,
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key, "-out", cert],
      { stdio: ["ignore", "ignore", "pipe"] }
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts an https server on a free port of 127.0.0.1 that forwards to
 * `target` (the devserver's http URL). Resolves to `{url, forwarded, stop}`;
 * `forwarded()` is how many requests it has passed on.
 */
export async function startTlsProxy(target) {
  const upstream = new URL(target);
  let forwarded = 0;
  const server = createServer(selfSignedCertificate(), (incoming, outgoing) => {
    forwarded++;
    // The devserver sees its own Host (its control routes answer no other);
    // every other header, the method, the path and the body pass as they are.
    const headers = { ...incoming.headers, host: upstream.host };
    const request = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode, answer.headers);
        answer.pipe(outgoing);
      }
    );
    request.on("error", (e) => {
      outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(`tls proxy: ${e.message}`);
    });
    incoming.pipe(request);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    forwarded: () => forwarded,
    stop: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
