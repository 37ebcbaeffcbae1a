// The report: SVG helpers, the leaderboard ordering, and an HTML document that is well formed,
// draws every trial, and escapes every piece of text that came from a config or an error.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { learningCurvesSvg, metricByKeySvg, stringValuedKeys } from "../src/tune/report/charts.js";
import { renderHtmlReport } from "../src/tune/report/html.js";
import { formatLeaderboard } from "../src/tune/report/leaderboard.js";
import { flattenConfig, rankTrials } from "../src/tune/report/rank.js";
import { escapeXml, linearScale, niceTicks } from "../src/tune/report/svg.js";
import type { Config, TrialRecord, TrialStatus } from "../src/tune/types.js";

function trial(index: number, config: Config, values: (number | null)[], status: TrialStatus = "completed"): TrialRecord {
  return {
    id: `t${String(index).padStart(4, "0")}`,
    index,
    config,
    seed: 1000 + index,
    status,
    history: values.map((value, i) => ({ iteration: i + 1, metrics: { accuracy: value, loss: value === null ? null : 1 - value }, time: 1_700_000_000_000 + i })),
    attempts: 1,
    bracket: index % 2,
    createdAt: 1_700_000_000_000,
  };
}

const hostile = `<script>alert("x")</script> & 'quotes'`;
const trials: TrialRecord[] = [
  trial(0, { activation1: "relu", lr: 0.01, hidden: 64 }, [0.5, 0.7, 0.8]),
  trial(1, { activation1: "mish", lr: 0.003, hidden: 32 }, [0.6, 0.9]),
  trial(2, { activation1: "tanh", lr: 0.1, hidden: 128 }, [0.4], "stopped"),
  trial(3, { activation1: hostile, lr: 0.02, hidden: 64 }, [0.55, 0.65]),
  trial(4, { activation1: "relu", lr: 0.05, hidden: 32 }, [null], "errored"),
  trial(5, { activation1: "mish", lr: 0.001, hidden: 128 }, [], "pending"),
];
trials[4]!.error = { kind: "error", message: `diverged <NaN> & "boom"` };

/** A small well-formedness check: tags balance (HTML void elements aside) and no stray < or > in text. */
function assertWellFormed(markup: string): void {
  const voidElements = new Set(["meta", "br", "hr", "img", "input", "link"]);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let textOnly = "";
  let cursor = 0;
  const body = markup.replace(/^<!DOCTYPE html>/, "");
  for (const match of body.matchAll(tag)) {
    textOnly += body.slice(cursor, match.index);
    cursor = match.index! + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (closing) assert.equal(stack.pop(), name, `closing </${name}> matches its opening tag`);
    else if (!selfClosing && !voidElements.has(name!)) stack.push(name!);
  }
  textOnly += body.slice(cursor);
  assert.deepEqual(stack, [], "every element is closed");
  assert.doesNotMatch(textOnly, /[<>]/, "no unescaped < or > outside tags");
}

describe("svg helpers", () => {
  it("escapes the five XML-special characters", () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("makes round ticks without floating-point drift", () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0.1, 0.3, 2), [0.1, 0.2, 0.3]);
    assert.deepEqual(niceTicks(3, 27, 4), [5, 10, 15, 20, 25]);
  });

  it("maps a domain onto a range, and widens a one-value domain instead of dividing by zero", () => {
    const x = linearScale([0, 10], [100, 200]);
    assert.equal(x(0), 100);
    assert.equal(x(5), 150);
    const flat = linearScale([3, 3], [0, 100]);
    assert.equal(flat(3), 50);
  });
});

describe("ranking and leaderboard", () => {
  it("ranks by the best value each trial reported, per mode, trials without a value last", () => {
    assert.deepEqual(rankTrials(trials, "accuracy", "max").map((r) => r.trial.id), ["t0001", "t0000", "t0003", "t0002", "t0004", "t0005"]);
    assert.deepEqual(rankTrials(trials, "loss", "min").map((r) => r.trial.id), ["t0001", "t0000", "t0003", "t0002", "t0004", "t0005"]);
    assert.deepEqual(rankTrials(trials, "accuracy", "min").slice(0, 2).map((r) => r.trial.id), ["t0002", "t0000"]);
  });

  it("flattens nested configs to dotted key paths", () => {
    assert.deepEqual(flattenConfig({ a: { b: [1, "x"] }, c: null, d: [] }), { "a.b.0": 1, "a.b.1": "x", c: null, d: "[]" });
  });

  it("prints a text table with the best trial first and its config columns", () => {
    const table = formatLeaderboard(trials, { metric: "accuracy", mode: "max" });
    const rows = table.split("\n").filter((l) => /^\s*(\d+|-)\s+t\d{4}/.test(l));
    assert.equal(rows.length, trials.length);
    assert.match(rows[0]!, /^\s*1\s+t0001\s+completed\s+0\.9\s+2\s+2\s+1\s+mish\s+0\.003\s+32$/);
    assert.match(rows.at(-1)!, /^\s*-\s+t0005\s+pending/);
    assert.match(table, /activation1/);
    const limited = formatLeaderboard(trials, { metric: "accuracy", mode: "max", limit: 2 });
    assert.match(limited, /\.\.\. 4 more/);
  });
});

describe("charts", () => {
  it("draws one polyline per trial that reported, titled with its id", () => {
    const svg = learningCurvesSvg(trials, { metric: "accuracy", mode: "max" })!;
    assertWellFormed(svg);
    const reported = trials.filter((t) => t.history.some((r) => r.metrics.accuracy !== null));
    assert.equal(svg.match(/<polyline /g)?.length, reported.length);
    for (const t of reported) assert.match(svg, new RegExp(`data-trial="${t.id}"`));
    // The first trial's three points are all in the polyline.
    const first = svg.match(/data-trial="t0000"[^>]*><polyline points="([^"]+)"/)!;
    assert.equal(first[1]!.split(" ").length, 3);
  });

  it("returns no chart when nothing was reported", () => {
    assert.equal(learningCurvesSvg([trials[5]!], { metric: "accuracy", mode: "max" }), undefined);
  });

  it("groups the best metric by string-valued keys only", () => {
    assert.deepEqual(stringValuedKeys(trials), ["activation1"]);
    const svg = metricByKeySvg(trials, "activation1", { metric: "accuracy", mode: "max" })!;
    assertWellFormed(svg);
    const groups = [...svg.matchAll(/class="group" data-value="([^"]*)"/g)].map((m) => m[1]);
    // Ordered by median, best first; the hostile value is escaped inside the attribute.
    assert.deepEqual(groups, ["mish", "relu", escapeXml(hostile), "tanh"]);
    assert.equal(svg.match(/<circle /g)?.length, 4, "one dot per trial with a value");
  });
});

describe("html report", () => {
  const html = renderHtmlReport({ title: `Run <digits> & "friends"`, metric: "accuracy", mode: "max", trials, generatedAt: 0 });

  it("is a well-formed, self-contained document", () => {
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
    assertWellFormed(html);
    assert.doesNotMatch(html, /<script/i, "no script");
    assert.doesNotMatch(html, /(src|href)="https?:/, "no network resources");
  });

  it("escapes text from configs, titles and errors", () => {
    assert.ok(!html.includes(hostile));
    assert.ok(html.includes(escapeXml(hostile)));
    assert.ok(html.includes("Run &lt;digits&gt; &amp; &quot;friends&quot;"));
    assert.ok(html.includes("diverged &lt;NaN&gt; &amp; &quot;boom&quot;"));
  });

  it("holds the learning curves, a chart per string-valued key, and the leaderboard in rank order", () => {
    assert.match(html, /<h2>Learning curves<\/h2>/);
    assert.match(html, /<h3>activation1<\/h3>/);
    const leaderboardIds = [...html.slice(html.indexOf("<h2>Leaderboard</h2>")).matchAll(/<td>(t\d{4})<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(leaderboardIds, rankTrials(trials, "accuracy", "max").map((r) => r.trial.id));
  });

  it("counts an errored trial's attempts from one (attempts holds the retries), and says when a run did not finish", () => {
    // The fixture's errored trial was retried once: two attempts.
    assert.match(html, /<b>t0004<\/b> \(error, 2 attempts\)/);
    assert.doesNotMatch(html, /not finished/);
    const unfinished = renderHtmlReport({ title: "run", metric: "accuracy", mode: "max", trials, generatedAt: 0, finished: false });
    assert.match(unfinished, /<dt>state<\/dt><dd>not finished: the run stopped before its end \(resume it to go on\); its &quot;running&quot; trials are not running<\/dd>/);
  });
});
