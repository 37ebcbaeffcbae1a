// Where an experiment lives. The runner's whole state is experiment.json plus the journal (and
// the latest checkpoint of each trial), behind this small interface, so that a database-backed
// storage (PostgreSQL, with workers claiming trials by SELECT ... FOR UPDATE SKIP LOCKED) can
// replace the directory one without touching the runner.
//
// Directory layout:
//   experiment.json          what the experiment is (ExperimentInfo), written once
//   journal.jsonl            one JournalEvent per line, appended and flushed per event
//   checkpoints/<trial>.json the latest checkpoint of each trial: { iteration, state }

import * as fs from "node:fs";
import * as path from "node:path";
import type { ExperimentInfo, JournalEvent, JsonValue } from "./types.js";

export interface StoredCheckpoint {
  iteration: number;
  state: JsonValue;
}

export interface JournalRead {
  events: JournalEvent[];
  warnings: string[];
}

export interface Storage {
  /** A human-readable location (a directory path, a database URL). */
  readonly location: string;
  readInfo(): ExperimentInfo | undefined;
  writeInfo(info: ExperimentInfo): void;
  /** Every journal event in order. A torn last line is dropped with a warning. */
  readJournal(): JournalRead;
  /** Appends one event durably: when this returns, the event survives a kill -9. */
  append(event: JournalEvent): void;
  saveCheckpoint(trialId: string, checkpoint: StoredCheckpoint): void;
  loadCheckpoint(trialId: string): StoredCheckpoint | undefined;
  close(): void;
}

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

/** Parses JSONL. Only the last line may be torn (no newline after it, or not JSON); a bad line
 *  anywhere else means the journal was edited or damaged, which is an error. */
export function parseJournal(text: string, name = "journal"): JournalRead {
  const events: JournalEvent[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  const endsClean = text.endsWith("\n") || text.length === 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const isLast = i === lines.length - 1 || (i === lines.length - 2 && endsClean);
    try {
      if (isLast && !endsClean) throw new Error("no newline after it");
      events.push(JSON.parse(line) as JournalEvent);
    } catch (e) {
      if (!isLast) throw new Error(`${name} line ${i + 1} is not a JSON event (${(e as Error).message}); only a torn last line can be skipped`);
      warnings.push(`${name}: ignoring a torn last line (${i + 1}: ${(e as Error).message}), probably written when the process was killed`);
    }
  }
  return { events, warnings };
}

/** Keeps everything in memory: for runs without a storage directory (no resume). */
export class MemoryStorage implements Storage {
  readonly location = "(memory)";
  private info: ExperimentInfo | undefined;
  private readonly events: JournalEvent[] = [];
  private readonly checkpoints = new Map<string, string>();

  readInfo(): ExperimentInfo | undefined {
    return this.info;
  }
  writeInfo(info: ExperimentInfo): void {
    this.info = info;
  }
  readJournal(): JournalRead {
    return { events: [...this.events], warnings: [] };
  }
  append(event: JournalEvent): void {
    this.events.push(event);
  }
  saveCheckpoint(trialId: string, checkpoint: StoredCheckpoint): void {
    // Stored as text so that later mutation of the trainable's objects cannot change it.
    this.checkpoints.set(trialId, JSON.stringify(checkpoint));
  }
  loadCheckpoint(trialId: string): StoredCheckpoint | undefined {
    const text = this.checkpoints.get(trialId);
    return text === undefined ? undefined : (JSON.parse(text) as StoredCheckpoint);
  }
  close(): void {}
}
