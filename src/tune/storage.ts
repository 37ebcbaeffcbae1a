// Where an experiment lives. The runner's whole state is experiment.json plus the journal (and
// the latest checkpoint of each trial), behind this small interface, so that a database-backed
// storage (PostgreSQL, with workers claiming trials by SELECT ... FOR UPDATE SKIP LOCKED) can
// replace the directory one without touching the runner.
//
// Directory layout:
//   experiment.json          what the experiment is (ExperimentInfo), written once
//   journal.jsonl            one JournalEvent per line, appended and flushed per event
//   checkpoints/<trial>.json the latest checkpoint of each trial: { iteration, state }

import type { ExperimentInfo, JournalEvent, JsonValue } from "./types.js";

// The directory-backed storage lives in its own module, the only one here that touches the file
// system, so that a browser build can replace it (see src/browser/replacements/file-storage.ts).
export { FileStorage, type FileStorageOptions } from "./file-storage.js";

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
