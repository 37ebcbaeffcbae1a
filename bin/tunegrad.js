#!/usr/bin/env node
// The `tunegrad` command. An installed package runs the build in dist/ (made by `npm run build`,
// which `npm ci` runs through `prepare`); a development checkout without a build runs the
// TypeScript sources through tsx, a devDependency. TUNEGRAD_FROM_SOURCE=1 forces the sources,
// so that tests in a checkout never run a stale dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packageRoot = new URL("../", import.meta.url);
const builtEntry = new URL("dist/cli/main.js", packageRoot);
const sourceEntry = new URL("src/cli/main.ts", packageRoot);

async function loadCli() {
  if (process.env.TUNEGRAD_FROM_SOURCE !== "1" && existsSync(fileURLToPath(builtEntry))) {
    return import(builtEntry.href);
  }
  if (!existsSync(fileURLToPath(sourceEntry))) {
    throw new Error(`tunegrad: neither ${fileURLToPath(builtEntry)} nor ${fileURLToPath(sourceEntry)} exists; run "npm run build"`);
  }
  const { register } = await import("tsx/esm/api");
  register();
  return import(sourceEntry.href);
}

const cli = await loadCli();
process.exitCode = await cli.main(process.argv.slice(2));
