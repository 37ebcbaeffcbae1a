// Runs the `tunegrad` command as a user would (bin/tunegrad.js in a child process), on the
// TypeScript sources under test rather than a dist/ that may be stale.

import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runTunegrad(args: readonly string[], options: { cwd: string; timeoutMs: number }): CliResult {
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "bin", "tunegrad.js"), ...args], {
    cwd: options.cwd,
    encoding: "utf8",
    env: { ...process.env, TUNEGRAD_FROM_SOURCE: "1" },
    timeout: options.timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
