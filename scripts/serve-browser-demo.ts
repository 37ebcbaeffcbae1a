// `npm run demo:browser`: builds the browser bundles and serves the demo page on localhost.
//
//   PORT=8080 (default) npm run demo:browser      then open http://localhost:8080/
//
// A tiny static server (node:http) with a fixed list of files, so nothing else in the repository
// is reachable through it. localhost is a secure context, which WebGPU and IndexedDB need.

import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { BROWSER_OUT_DIR, buildBrowser } from "./build-browser.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE_DIR = path.join(ROOT, "examples", "browser");

/** URL path -> file served, and its content type. */
const ROUTES: Record<string, { file: string; type: string }> = {
  "/": { file: path.join(EXAMPLE_DIR, "index.html"), type: "text/html; charset=utf-8" },
  "/index.html": { file: path.join(EXAMPLE_DIR, "index.html"), type: "text/html; charset=utf-8" },
  "/style.css": { file: path.join(EXAMPLE_DIR, "style.css"), type: "text/css; charset=utf-8" },
  "/demo.js": { file: path.join(BROWSER_OUT_DIR, "demo.js"), type: "text/javascript; charset=utf-8" },
  "/demo.js.map": { file: path.join(BROWSER_OUT_DIR, "demo.js.map"), type: "application/json" },
  "/tunegrad.js": { file: path.join(BROWSER_OUT_DIR, "tunegrad.js"), type: "text/javascript; charset=utf-8" },
  "/tunegrad.js.map": { file: path.join(BROWSER_OUT_DIR, "tunegrad.js.map"), type: "application/json" },
  "/trial-worker.js": { file: path.join(BROWSER_OUT_DIR, "trial-worker.js"), type: "text/javascript; charset=utf-8" },
  "/trial-worker.js.map": { file: path.join(BROWSER_OUT_DIR, "trial-worker.js.map"), type: "application/json" },
  "/trainable.js": { file: path.join(BROWSER_OUT_DIR, "trainable.js"), type: "text/javascript; charset=utf-8" },
  "/trainable.js.map": { file: path.join(BROWSER_OUT_DIR, "trainable.js.map"), type: "application/json" },
  "/data/digits.csv.gz": { file: path.join(ROOT, "data", "digits.csv.gz"), type: "application/gzip" },
};

export interface DemoServer {
  /** e.g. "http://127.0.0.1:41234/" */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the demo (already built into dist/browser) on `port` (0: any free port). */
export async function startDemoServer(options: { port?: number; host?: string } = {}): Promise<DemoServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer((request, response) => {
    const route = ROUTES[new URL(request.url ?? "/", "http://localhost").pathname];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (!route) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`not found; this server serves ${Object.keys(ROUTES).join(", ")}\n`);
      return;
    }
    readFile(route.file).then(
      (body) => {
        response.writeHead(200, { "content-type": route.type, "content-length": body.length, "cache-control": "no-store" });
        response.end(request.method === "HEAD" ? undefined : body);
      },
      (error: NodeJS.ErrnoException) => {
        const hint = error.code === "ENOENT" && route.file.startsWith(BROWSER_OUT_DIR) ? " (run npm run build:browser first)" : "";
        console.error(`serving ${route.file}: ${error.message}${hint}`);
        response.writeHead(500, { "content-type": "text/plain" }).end(`cannot read ${path.relative(ROOT, route.file)}: ${error.message}${hint}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  await buildBrowser();
  // "localhost" rather than 127.0.0.1 in the printed URL: both are secure contexts, this one reads better.
  const server = await startDemoServer({ port, host: "127.0.0.1" });
  console.log(`tunegrad browser demo: ${server.url.replace("127.0.0.1", "localhost")}`);
  console.log(`  add ?test=1 for tiny sizes, ?backend=cpu to skip WebGPU, ?executor=inline to run the trials on the page instead of in Web Workers; Ctrl-C stops the server`);
}
