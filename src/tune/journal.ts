// Replaying a journal: the trial records are a fold of the journal's events, both while a run
// goes on (the runner applies each event as it appends it) and when an experiment is read back
// (`loadExperiment`, used by `tunegrad report` and by resume).

import { FileStorage, type Storage } from "./storage.js";
import type { JournalEvent, LoadedExperiment, TrialRecord } from "./types.js";

/** Applies one event to the trial records (in place). Unknown event types are ignored, so that
 *  older readers can read newer journals. */
export function applyEvent(trials: Map<string, TrialRecord>, event: JournalEvent): void {
  if (event.type === "experiment_started" || event.type === "experiment_ended") return;
  if (event.type === "trial_created") {
    trials.set(event.trialId, {
      id: event.trialId,
      index: event.index,
      config: event.config,
      seed: event.seed,
      status: "pending",
      history: [],
      attempts: 0,
      createdAt: event.time,
      ...(event.bracket !== undefined ? { bracket: event.bracket } : {}),
    });
    return;
  }
  const trial = trials.get(event.trialId);
  if (!trial) throw new Error(`journal event ${event.type} names trial ${event.trialId}, which no trial_created event created`);
  switch (event.type) {
    case "trial_started":
      trial.status = "running";
      trial.attempts = event.attempt;
      // A new attempt: an earlier one's error is in the journal, not this record's.
      delete trial.error;
      truncateHistory(trial, event.fromIteration);
      break;
    case "trial_resumed":
      trial.status = "running";
      truncateHistory(trial, event.fromIteration);
      break;
    case "result":
      truncateHistory(trial, event.iteration - 1);
      trial.history.push({ iteration: event.iteration, metrics: event.metrics, time: event.time });
      trial.last = event.metrics;
      break;
    case "decision":
      if (event.rung !== undefined) trial.rung = event.rung;
      break;
    case "checkpoint":
      trial.checkpointIteration = event.iteration;
      break;
    case "trial_paused":
      trial.status = "paused";
      if (event.rung !== undefined) trial.rung = event.rung;
      break;
    case "trial_completed":
      trial.status = "completed";
      trial.endedAt = event.time;
      break;
    case "trial_stopped":
      trial.status = "stopped";
      trial.endedAt = event.time;
      break;
    case "trial_errored":
      trial.error = event.error;
      if (event.willRetry) {
        trial.status = "pending";
        trial.attempts += 1;
      } else {
        trial.status = "errored";
        trial.endedAt = event.time;
      }
      break;
  }
}

/** Drops results past `iteration` (a trial restarted from a checkpoint redoes them). */
function truncateHistory(trial: TrialRecord, iteration: number): void {
  let n = trial.history.length;
  while (n > 0 && trial.history[n - 1]!.iteration > iteration) n--;
  if (n === trial.history.length) return;
  trial.history.length = n;
  if (n > 0) trial.last = trial.history[n - 1]!.metrics;
  else delete trial.last;
}

/** The trial records after all events, in trial index order. */
export function replay(events: readonly JournalEvent[]): Map<string, TrialRecord> {
  const trials = new Map<string, TrialRecord>();
  for (const e of events) applyEvent(trials, e);
  return trials;
}

/** Reads an experiment (a directory, or any Storage) and replays its journal. */
export async function loadExperiment(dirOrStorage: string | Storage): Promise<LoadedExperiment> {
  const storage = typeof dirOrStorage === "string" ? new FileStorage(dirOrStorage) : dirOrStorage;
  const info = storage.readInfo();
  if (!info) throw new Error(`${storage.location} holds no experiment.json: not an experiment directory`);
  const { events, warnings } = storage.readJournal();
  for (const w of warnings) console.warn(`tunegrad: ${w}`);
  const trials = [...replay(events).values()].sort((a, b) => a.index - b.index);
  let finished = false;
  for (const e of events) {
    if (e.type === "experiment_started") finished = false;
    if (e.type === "experiment_ended") finished = true;
  }
  return { dir: storage.location, info, trials, events, warnings, finished };
}
