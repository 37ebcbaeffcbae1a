// An experiment kept in the browser's IndexedDB, in the same shape as an experiment directory:
// experiment.json's text, the journal as one JSON line per event (exactly the lines of
// journal.jsonl), and the latest checkpoint of each trial.
//
// tune's Storage interface is synchronous and IndexedDB is not, so this storage is write-behind:
//  - `IndexedDBStorage.open(name)` reads the whole experiment into memory before the run;
//  - every write (info, event, checkpoint) lands in memory at once, and is queued for IndexedDB;
//  - the queue is written in order, in batches, one read-write transaction per batch. A
//    transaction is atomic and transactions over the same stores commit in the order they were
//    created, so what IndexedDB holds is always a prefix of the writes made, never a gap.
//
// Durability: when `append` returns, the event is in memory only. It is in IndexedDB once
// `flush()` resolves (or `savedEvents` counts it), normally a few milliseconds later. A reload
// or a closed tab loses the writes still queued or in flight, which, being a tail of the
// sequence, leaves an experiment that resumes exactly like a run killed at that point (the
// runner redoes the lost results from the last saved checkpoint). With durability "relaxed"
// (the default) a committed batch survives a reload and a browser crash; "strict" also asks
// the browser to flush it to disk before it reports the commit, to survive power loss.

import { parseJournal, type JournalRead, type Storage, type StoredCheckpoint } from "../tune/storage.js";
import type { ExperimentInfo, JournalEvent } from "../tune/types.js";

const DATABASE_PREFIX = "tunegrad-experiment:";
const INFO_STORE = "info";
const JOURNAL_STORE = "journal";
const CHECKPOINT_STORE = "checkpoints";
const ALL_STORES = [INFO_STORE, JOURNAL_STORE, CHECKPOINT_STORE];
const INFO_KEY = "experiment.json";

/** experiment.json's text as stored; a damaged one is named, with the way out. */
function parseInfo(text: string, location: string): ExperimentInfo {
  try {
    return JSON.parse(text) as ExperimentInfo;
  } catch (error) {
    throw new Error(
      `${location}: the stored experiment.json is not valid JSON (${(error as Error).message}); ` +
        `delete the experiment with IndexedDBStorage.delete(name) to start it again`,
    );
  }
}

export interface IndexedDBStorageOptions {
  /** How far a committed batch is pushed before IndexedDB reports it (see the file's comment). */
  durability?: "relaxed" | "strict";
}

interface QueuedWrite {
  store: string;
  key: IDBValidKey;
  /** JSON text: the same text as the file of an experiment directory. */
  value: string;
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function idbFactory(): IDBFactory {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) throw new Error("IndexedDBStorage needs IndexedDB (a browser page or worker); in Node, use an experiment directory");
  return factory;
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`an IndexedDB experiment is named by a non-empty string, got ${JSON.stringify(name)}`);
  }
}

function openDatabase(name: string): Promise<IDBDatabase> {
  const request = idbFactory().open(DATABASE_PREFIX + name, 1);
  request.onupgradeneeded = () => {
    for (const store of ALL_STORES) request.result.createObjectStore(store);
  };
  return requestResult(request).then((db) => {
    // Another connection (a reset, another tab) wants to delete or upgrade the database: give
    // way. Writes after this fail, and the failure stops a run that is still using it.
    db.onversionchange = () => db.close();
    return db;
  });
}

export class IndexedDBStorage implements Storage {
  readonly location: string;
  private info: ExperimentInfo | undefined;
  /** The journal's lines, saved or not, in order. */
  private readonly lines: string[];
  private readonly checkpoints: Map<string, string>;
  private readonly queue: QueuedWrite[] = [];
  private inFlight = false;
  private closed = false;
  private failure: Error | undefined;
  private saved: number;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  private constructor(
    private readonly db: IDBDatabase,
    readonly name: string,
    loaded: { info: string | undefined; lines: string[]; checkpoints: Map<string, string> },
    private readonly durability: "relaxed" | "strict",
  ) {
    this.location = `indexeddb:${DATABASE_PREFIX}${name}`;
    this.info = loaded.info === undefined ? undefined : parseInfo(loaded.info, this.location);
    this.lines = loaded.lines;
    this.checkpoints = loaded.checkpoints;
    this.saved = loaded.lines.length;
  }

  /** Opens (or creates) the experiment `name` and reads all of it into memory. */
  static async open(name: string, options: IndexedDBStorageOptions = {}): Promise<IndexedDBStorage> {
    checkName(name);
    const durability = options.durability ?? "relaxed";
    if (durability !== "relaxed" && durability !== "strict") {
      throw new TypeError(`IndexedDBStorage durability must be "relaxed" or "strict", got ${JSON.stringify(durability)}`);
    }
    const db = await openDatabase(name);
    const tx = db.transaction(ALL_STORES, "readonly");
    const [info, lines, checkpointKeys, checkpointValues] = await Promise.all([
      requestResult(tx.objectStore(INFO_STORE).get(INFO_KEY) as IDBRequest<string | undefined>),
      // Keys are the event's position, so getAll returns the journal in order.
      requestResult(tx.objectStore(JOURNAL_STORE).getAll() as IDBRequest<string[]>),
      requestResult(tx.objectStore(CHECKPOINT_STORE).getAllKeys()),
      requestResult(tx.objectStore(CHECKPOINT_STORE).getAll() as IDBRequest<string[]>),
    ]);
    const checkpoints = new Map(checkpointKeys.map((key, i) => [String(key), checkpointValues[i]!] as const));
    return new IndexedDBStorage(db, name, { info, lines, checkpoints }, durability);
  }

  /**
   * Deletes the experiment `name` (all of it). A storage open on it closes its connection when
   * asked, so the deletion does not wait for it; that storage's later writes fail.
   */
  static async delete(name: string): Promise<void> {
    checkName(name);
    await requestResult(idbFactory().deleteDatabase(DATABASE_PREFIX + name));
  }

  readInfo(): ExperimentInfo | undefined {
    return this.info;
  }

  writeInfo(info: ExperimentInfo): void {
    const text = JSON.stringify(info, null, 2) + "\n";
    this.enqueue({ store: INFO_STORE, key: INFO_KEY, value: text });
    this.info = JSON.parse(text) as ExperimentInfo;
  }

  readJournal(): JournalRead {
    return parseJournal(this.journalText(), this.location);
  }

  append(event: JournalEvent): void {
    const line = JSON.stringify(event);
    this.enqueue({ store: JOURNAL_STORE, key: this.lines.length, value: line });
    this.lines.push(line);
  }

  saveCheckpoint(trialId: string, checkpoint: StoredCheckpoint): void {
    const text = JSON.stringify(checkpoint);
    this.enqueue({ store: CHECKPOINT_STORE, key: trialId, value: text });
    this.checkpoints.set(trialId, text);
  }

  loadCheckpoint(trialId: string): StoredCheckpoint | undefined {
    const text = this.checkpoints.get(trialId);
    return text === undefined ? undefined : (JSON.parse(text) as StoredCheckpoint);
  }

  /** Stops accepting writes; the database closes once the queued ones are saved. */
  close(): void {
    this.closed = true;
    if (!this.inFlight) this.db.close();
  }

  /** The journal as journal.jsonl's text: one event per line, saved or not. */
  journalText(): string {
    return this.lines.map((line) => line + "\n").join("");
  }

  /** experiment.json's text, or undefined before the run wrote it. */
  infoText(): string | undefined {
    return this.info === undefined ? undefined : JSON.stringify(this.info, null, 2) + "\n";
  }

  /** Journal events in memory (saved or not). */
  get events(): number {
    return this.lines.length;
  }

  /** Journal events committed to IndexedDB. */
  get savedEvents(): number {
    return this.saved;
  }

  /** Resolves once every write made so far is committed; rejects if a write failed. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private enqueue(write: QueuedWrite): void {
    // A failed write is reported by the next one, so the runner stops instead of going on with
    // a journal that can no longer be resumed.
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`${this.location} is closed; open the experiment again to write to it`);
    this.queue.push(write);
    this.writeNextBatch();
    if (this.failure) throw this.failure;
  }

  private writeNextBatch(): void {
    if (this.inFlight || this.queue.length === 0) return;
    let tx: IDBTransaction;
    try {
      tx = this.db.transaction(ALL_STORES, "readwrite", { durability: this.durability });
    } catch (e) {
      // The connection was closed (the experiment was deleted, or the page is going away).
      this.failure = new Error(`saving the experiment to ${this.location} failed after ${this.saved} journal events: ${(e as Error).message}`);
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
      return;
    }
    const batch = this.queue.splice(0, this.queue.length);
    this.inFlight = true;
    for (const write of batch) tx.objectStore(write.store).put(write.value, write.key);
    const events = batch.filter((w) => w.store === JOURNAL_STORE).length;
    tx.oncomplete = () => {
      this.inFlight = false;
      this.saved += events;
      if (this.queue.length > 0) {
        this.writeNextBatch();
        return;
      }
      for (const w of this.waiters.splice(0)) w.resolve();
      if (this.closed) this.db.close();
    };
    const fail = () => {
      this.inFlight = false;
      this.failure ??= new Error(
        `saving the experiment to ${this.location} failed after ${this.saved} journal events ` +
          `(${tx.error?.name ?? "aborted"}: ${tx.error?.message ?? "the transaction was aborted"}); the run cannot go on durably`,
      );
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    };
    tx.onerror = fail;
    tx.onabort = fail;
  }
}
