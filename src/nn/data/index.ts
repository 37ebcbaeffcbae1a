// The `data` namespace: datasets, their registry, loaders and CSV parsing.

export { Dataset, type DatasetInfo } from "./dataset.js";
export { DataLoader, type DataLoaderOptions, type Batch } from "./loader.js";
export { datasets, load, digitsFromBytes, irisFromText, csvFromText, type DatasetOptions } from "./datasets.js";
export { parseCsv, parseSklearnCsv, gunzip, type CsvOptions, type ParsedTable } from "./csv.js";
