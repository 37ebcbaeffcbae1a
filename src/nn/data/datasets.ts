// The datasets registry: the bundled `digits` and `iris` (vendored in data/ with their
// attribution, see data/README.md) and `csv` for any CSV of numeric features with a label
// column. Each also has a from-bytes/text form for browsers, which fetch the file themselves.

import { packageDataPath, readFileBytes } from "../node-files.js";
import { Registry } from "../registry.js";
import { type CsvOptions, gunzip, parseCsv, parseSklearnCsv } from "./csv.js";
import { Dataset } from "./dataset.js";

export type DatasetOptions = Readonly<Record<string, unknown>>;

function checkKeys(dataset: string, options: DatasetOptions, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new Error(`dataset "${dataset}" has no option "${key}"; ${known.length > 0 ? `its options are: ${known.join(", ")}` : "it takes no options"}`);
    }
  }
}

/**
 * The 8x8 handwritten digits (1797 examples, 64 features, 10 classes) from the gzip-compressed
 * CSV bytes. Pixels are 0..16; `scale` (default true) divides them by 16 into [0, 1].
 */
export async function digitsFromBytes(gzipped: Uint8Array, options: { scale?: boolean } = {}): Promise<Dataset> {
  const text = new TextDecoder().decode(await gunzip(gzipped));
  const table = parseSklearnCsv(text, "digits.csv.gz", { rows: 1797, numFeatures: 64 });
  const features = options.scale ?? true ? table.features.map((v) => v / 16) : table.features;
  return new Dataset(features, table.labels, 64, { classNames: Array.from({ length: 10 }, (_, i) => String(i)) });
}

/** Fisher's iris (150 examples, 4 features, 3 classes) from the CSV text. */
export function irisFromText(text: string): Dataset {
  return Dataset.fromTable(parseSklearnCsv(text, "iris.csv", { rows: 150, numFeatures: 4 }));
}

/** A dataset from CSV text of numeric features and one label column (see CsvOptions). */
export function csvFromText(text: string, options: CsvOptions = {}): Dataset {
  return Dataset.fromTable(parseCsv(text, options));
}

export const datasets = new Registry<Promise<Dataset>, DatasetOptions>("dataset");

datasets.register("digits", async (options) => {
  checkKeys("digits", options, ["scale"]);
  if (options.scale !== undefined && typeof options.scale !== "boolean") throw new Error(`dataset "digits": scale must be true or false, got ${JSON.stringify(options.scale)}`);
  const browser = "fetch data/digits.csv.gz and call data.digitsFromBytes(bytes)";
  const bytes = await readFileBytes(await packageDataPath("digits.csv.gz", browser), browser);
  return digitsFromBytes(bytes, options.scale === undefined ? {} : { scale: options.scale });
});

datasets.register("iris", async (options) => {
  checkKeys("iris", options, []);
  const browser = "fetch data/iris.csv and call data.irisFromText(text)";
  const bytes = await readFileBytes(await packageDataPath("iris.csv", browser), browser);
  return irisFromText(new TextDecoder().decode(bytes));
});

datasets.register("csv", async (options) => {
  checkKeys("csv", options, ["path", "labelColumn", "header"]);
  const { path, labelColumn, header } = options;
  if (typeof path !== "string" || path.length === 0) throw new Error(`dataset "csv" needs path, the CSV file's path, got ${JSON.stringify(path)}`);
  if (labelColumn !== undefined && typeof labelColumn !== "number" && typeof labelColumn !== "string") {
    throw new Error(`dataset "csv": labelColumn must be a column index or name, got ${JSON.stringify(labelColumn)}`);
  }
  if (header !== undefined && header !== "auto" && typeof header !== "boolean") {
    throw new Error(`dataset "csv": header must be true, false or "auto", got ${JSON.stringify(header)}`);
  }
  const bytes = await readFileBytes(path, "fetch the file and call data.csvFromText(text, options)");
  const text = path.endsWith(".gz") ? new TextDecoder().decode(await gunzip(bytes)) : new TextDecoder().decode(bytes);
  return csvFromText(text, {
    source: path,
    ...(labelColumn !== undefined ? { labelColumn: labelColumn as number | string } : {}),
    ...(header !== undefined ? { header: header as boolean | "auto" } : {}),
  });
});

/** Loads a registered dataset by key: `await data.load("digits")`. */
export function load(key: string, options: DatasetOptions = {}): Promise<Dataset> {
  return datasets.create(key, options);
}
