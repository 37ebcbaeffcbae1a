// What the browser build puts in place of src/tune/file-storage.ts (see scripts/build-browser.ts):
// a browser has no file system, so a storage path is an error that names the browser's storage.

export interface FileStorageOptions {
  durability?: "flush" | "fsync";
}

export class FileStorage {
  constructor(dir: string, _options: FileStorageOptions = {}) {
    throw new Error(
      `an experiment directory (${JSON.stringify(dir)}) needs Node's file system; in a browser, pass ` +
        `storage: await IndexedDBStorage.open("experiment name") to tune.run`,
    );
  }
}
