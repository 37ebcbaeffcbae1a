// The browser build's entry (scripts/build-browser.ts bundles it into dist/browser/tunegrad.js):
// the whole public API of src/index.ts, plus what only a page needs. The Node-only modules behind
// that API (the experiment directory, worker threads, file reading) are replaced at build time by
// the modules in ./replacements, which fail with an error naming the browser alternative.

export * from "../index.js";
export { IndexedDBStorage, type IndexedDBStorageOptions } from "./indexeddb-storage.js";
export { checkKernelParity, type ParityCheck, type ParityReport } from "./kernel-parity.js";
// The report's learning-curve chart, for pages that draw a search as it runs.
export { learningCurvesSvg, type ChartOptions } from "../tune/report/charts.js";
