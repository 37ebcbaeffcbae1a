// The experiment directory on the local file system: the Storage that `tune.run` uses when given
// a path. Kept apart from storage.ts because it is the only storage that needs Node's fs, so a
// browser build can swap this one module out (src/browser/replacements/file-storage.ts).

import * as fs from "node:fs";
import * as path from "node:path";
import { parseJournal, type JournalRead, type Storage, type StoredCheckpoint } from "./storage.js";
import type { ExperimentInfo, JournalEvent } from "./types.js";

export interface FileStorageOptions {
  /**
   * "flush" (default): each event is written with one write(2) call on an append-mode fd, so it
   * reaches the OS before the runner goes on; it survives the process being killed (kill -9),
   * not a machine crash. "fsync": also fsync(2) per event, surviving power loss, at a cost of
   * about a millisecond per event on an SSD.
   */
  durability?: "flush" | "fsync";
}

/** An experiment directory on the local file system. */
export class FileStorage implements Storage {
  readonly location: string;
  private fd: number | undefined;
  private readonly fsync: boolean;

  constructor(dir: string, options: FileStorageOptions = {}) {
    this.location = path.resolve(dir);
    this.fsync = options.durability === "fsync";
  }

  private get infoPath(): string {
    return path.join(this.location, "experiment.json");
  }
  private get journalPath(): string {
    return path.join(this.location, "journal.jsonl");
  }
  private checkpointPath(trialId: string): string {
    if (!/^[\w.-]+$/.test(trialId)) throw new Error(`trial id ${JSON.stringify(trialId)} cannot name a checkpoint file`);
    return path.join(this.location, "checkpoints", `${trialId}.json`);
  }

  readInfo(): ExperimentInfo | undefined {
    if (!fs.existsSync(this.infoPath)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.infoPath, "utf8")) as ExperimentInfo;
    } catch (e) {
      throw new Error(`${this.infoPath} is not valid JSON: ${(e as Error).message}`);
    }
  }

  writeInfo(info: ExperimentInfo): void {
    fs.mkdirSync(path.join(this.location, "checkpoints"), { recursive: true });
    writeAtomically(this.infoPath, JSON.stringify(info, null, 2) + "\n");
  }

  readJournal(): JournalRead {
    if (!fs.existsSync(this.journalPath)) return { events: [], warnings: [] };
    return parseJournal(fs.readFileSync(this.journalPath, "utf8"), this.journalPath);
  }

  append(event: JournalEvent): void {
    if (this.fd === undefined) this.fd = this.openForAppend();
    fs.writeSync(this.fd, JSON.stringify(event) + "\n");
    if (this.fsync) fs.fsyncSync(this.fd);
  }

  /** Opens the journal for appending, first cutting off a torn last line (a kill mid-write). */
  private openForAppend(): number {
    fs.mkdirSync(this.location, { recursive: true });
    if (fs.existsSync(this.journalPath)) {
      const text = fs.readFileSync(this.journalPath, "utf8");
      if (text.length > 0 && !text.endsWith("\n")) {
        fs.truncateSync(this.journalPath, Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1)));
      }
    }
    return fs.openSync(this.journalPath, "a");
  }

  saveCheckpoint(trialId: string, checkpoint: StoredCheckpoint): void {
    writeAtomically(this.checkpointPath(trialId), JSON.stringify(checkpoint));
  }

  loadCheckpoint(trialId: string): StoredCheckpoint | undefined {
    const file = this.checkpointPath(trialId);
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as StoredCheckpoint;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
