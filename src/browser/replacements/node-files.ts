// What the browser build puts in place of src/nn/node-files.ts (see scripts/build-browser.ts):
// the same functions, each failing with the error the Node version gives outside Node, without
// any reference to Node's modules.

function browserError(what: string, browserAlternative: string): Error {
  return new Error(`${what} needs Node's file system; in a browser, ${browserAlternative}`);
}

export async function readFileBytes(path: string, browserAlternative: string): Promise<Uint8Array> {
  throw browserError(`reading ${path}`, browserAlternative);
}

export async function writeFileBytes(path: string, _bytes: Uint8Array, browserAlternative: string): Promise<void> {
  throw browserError(`writing ${path}`, browserAlternative);
}

export async function packageDataPath(file: string, browserAlternative: string): Promise<string> {
  throw browserError(`finding the bundled data file ${file}`, browserAlternative);
}
