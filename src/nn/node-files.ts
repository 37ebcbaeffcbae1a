// The only nn code that touches the file system. Node built-ins are imported lazily, inside the
// functions, so a browser bundle that never calls these never loads them; in a browser each
// function fails with an error saying what to use instead.

function requireNode(what: string, browserAlternative: string): void {
  if (typeof process === "undefined" || typeof process.versions?.node !== "string") {
    throw new Error(`${what} needs Node's file system; in a browser, ${browserAlternative}`);
  }
}

export async function readFileBytes(path: string, browserAlternative: string): Promise<Uint8Array> {
  requireNode(`reading ${path}`, browserAlternative);
  const { readFile } = await import("node:fs/promises");
  return new Uint8Array(await readFile(path));
}

export async function writeFileBytes(path: string, bytes: Uint8Array, browserAlternative: string): Promise<void> {
  requireNode(`writing ${path}`, browserAlternative);
  const { mkdir, rename, writeFile } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  await mkdir(dirname(path), { recursive: true });
  // Write then rename, so a crash mid-write never leaves a truncated file under the real name.
  const partial = `${path}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, path);
}

/**
 * The path of a file in the package's data/ folder. The package root is found by walking up from
 * this module to tunegrad's package.json, so it works from src/ (tsx) and from the built dist/.
 */
export async function packageDataPath(file: string, browserAlternative: string): Promise<string> {
  requireNode(`finding the bundled data file ${file}`, browserAlternative);
  const { readFile, access } = await import("node:fs/promises");
  const { dirname, join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    const found = await readFile(manifest, "utf8").then(
      (text) => (JSON.parse(text) as { name?: string }).name === "tunegrad",
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return false;
        throw e;
      },
    );
    if (found) {
      const path = join(dir, "data", file);
      await access(path);
      return path;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find tunegrad's package root (its package.json) above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
