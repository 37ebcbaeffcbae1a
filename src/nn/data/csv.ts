// Parsing CSV text of numeric features with one label column into flat float32 arrays. Pure
// string work (no fs), so browsers load datasets from fetched text or bytes with the same code.

export interface ParsedTable {
  /** Row-major [rows, numFeatures]. */
  readonly features: Float32Array;
  /** One label per row: a class index (string labels are mapped to indices) or a numeric target. */
  readonly labels: Float32Array;
  readonly rows: number;
  readonly numFeatures: number;
  readonly featureNames?: string[];
  /** For string labels, the class name of each index (sorted); for sklearn files, from the header. */
  readonly classNames?: string[];
}

export interface CsvOptions {
  /** The label column, by index (negative counts from the end) or by header name. Default: the last column. */
  readonly labelColumn?: number | string;
  /** Whether the first line names the columns. Default "auto": it does if any of its fields is not a number. */
  readonly header?: boolean | "auto";
  /** What the text is called in error messages (a file name). */
  readonly source?: string;
}

/** One CSV record: its fields (unquoted, unquoted ones trimmed) and the line it starts on. */
interface CsvRecord {
  readonly fields: string[];
  readonly lineNumber: number;
}

/**
 * Splits CSV text into records as RFC 4180 reads it: fields separated by commas, records by LF
 * or CRLF; a field in double quotes may hold commas, line breaks and `""` for a quote (as
 * R's write.csv and spreadsheets write them). Blank lines are skipped.
 */
function splitRecords(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let line = 1;
  let recordLine = 1;
  const isBreak = (c: string | undefined) => c === "\n" || c === "\r";
  const skipBlanks = (at: number) => {
    while (text[at] === " " || text[at] === "\t") at++;
    return at;
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not data
  for (;;) {
    // One field, from i to a comma, a line break or the end.
    const quoted = text[skipBlanks(i)] === '"';
    if (quoted) {
      const opened = line;
      let value = "";
      for (i = skipBlanks(i) + 1; text[i] !== '"' || text[i + 1] === '"'; i++) {
        if (i >= text.length) throw new Error(`${source} line ${opened}: a quoted field is never closed`);
        if (text[i] === '"') i++; // "" stands for one quote
        else if (text[i] === "\n") line++;
        value += text[i];
      }
      i = skipBlanks(i + 1);
      if (i < text.length && text[i] !== "," && !isBreak(text[i])) {
        throw new Error(`${source} line ${line}: "${text[i]}" after a closing quote; a quoted field ends at a comma or the end of its line`);
      }
      fields.push(value);
    } else {
      const begin = i;
      while (i < text.length && text[i] !== "," && !isBreak(text[i])) i++;
      fields.push(text.slice(begin, i).trim());
    }
    if (text[i] === ",") {
      i++;
      continue;
    }
    // The record ends: keep it unless the line was blank.
    if (fields.length > 1 || fields[0] !== "") records.push({ fields, lineNumber: recordLine });
    if (i >= text.length) return records;
    i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
    line++;
    fields = [];
    recordLine = line;
  }
}

function parseNumber(field: string): number | undefined {
  const t = field.trim();
  if (t.length === 0) return undefined;
  const v = Number(t);
  return Number.isNaN(v) && t.toLowerCase() !== "nan" ? undefined : v;
}

/** A field's value when it is a finite number ("nan" and "Infinity" are not). */
function finiteNumber(field: string): number | undefined {
  const v = parseNumber(field);
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/**
 * The order of class names: numbers by value, before other names, which go by code unit (as
 * sort() orders them, the same in every locale). Labels "2", "10", "cat" are classes 0, 1, 2.
 */
function byClassName(a: string, b: string): number {
  const [x, y] = [finiteNumber(a), finiteNumber(b)];
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined || y !== undefined) return x !== undefined ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses a CSV of numeric features and one label column (numbers or class names). */
export function parseCsv(text: string, options: CsvOptions = {}): ParsedTable {
  const source = options.source ?? "CSV";
  const records = splitRecords(text, source);
  if (records.length === 0) throw new Error(`${source}: the CSV is empty`);
  const first = records[0]!.fields;
  const columns = first.length;
  if (columns < 2) throw new Error(`${source}: a dataset needs at least one feature column and a label column; the first line has ${columns} field`);
  const wanted = options.labelColumn ?? -1;
  if (typeof wanted !== "string" && (!Number.isInteger(wanted) || wanted < -columns || wanted >= columns)) {
    throw new Error(`${source}: labelColumn ${wanted} is out of range for ${columns} columns (valid: ${-columns}..${columns - 1})`);
  }
  /** The label column given by index; one given by name is found in the header below. */
  const indexGiven = typeof wanted === "string" ? undefined : wanted < 0 ? columns + wanted : wanted;
  // "auto": a first line is a header when a column is named, or when a feature field in it is not
  // a number (a label may be a class name in any line, so it says nothing).
  const looksLikeHeader = () => indexGiven === undefined || first.some((f, c) => c !== indexGiven && parseNumber(f) === undefined);
  const hasHeader = options.header === "auto" || options.header === undefined ? looksLikeHeader() : options.header;
  const names = hasHeader ? first : undefined;
  const body = hasHeader ? records.slice(1) : records;

  let labelIndex = indexGiven;
  if (labelIndex === undefined) {
    if (!names) throw new Error(`${source}: labelColumn "${wanted}" names a column, but the CSV has no header line`);
    labelIndex = names.indexOf(wanted as string);
    if (labelIndex < 0) throw new Error(`${source}: no column named "${wanted}"; the columns are ${names.join(", ")}`);
  }

  const numFeatures = columns - 1;
  const features = new Float32Array(body.length * numFeatures);
  const rawLabels: string[] = [];
  body.forEach(({ fields, lineNumber }, row) => {
    if (fields.length !== columns) throw new Error(`${source} line ${lineNumber}: expected ${columns} fields, got ${fields.length}`);
    let j = 0;
    fields.forEach((field, c) => {
      if (c === labelIndex) {
        const label = field.trim();
        if (label === "") throw new Error(`${source} line ${lineNumber}, column ${c + 1}${names ? ` ("${names[c]}")` : ""}: the label is empty`);
        rawLabels.push(label);
        return;
      }
      const v = parseNumber(field);
      if (v === undefined) {
        throw new Error(`${source} line ${lineNumber}, column ${c + 1}${names ? ` ("${names[c]}")` : ""}: "${field}" is not a number`);
      }
      features[row * numFeatures + j++] = v;
    });
  });

  const numeric = rawLabels.map(parseNumber);
  let labels: Float32Array;
  let classNames: string[] | undefined;
  if (numeric.every((v) => v !== undefined)) {
    const bad = numeric.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${source} line ${body[bad]!.lineNumber}: the label "${rawLabels[bad]}" is not a finite number; numeric labels are class indices or targets`);
    labels = Float32Array.from(numeric as number[]);
  } else {
    classNames = [...new Set(rawLabels)].sort(byClassName);
    const index = new Map(classNames.map((name, i) => [name, i]));
    labels = Float32Array.from(rawLabels, (l) => index.get(l)!);
  }
  return {
    features,
    labels,
    rows: body.length,
    numFeatures,
    ...(names ? { featureNames: names.filter((_, c) => c !== labelIndex) } : {}),
    ...(classNames ? { classNames } : {}),
  };
}

/**
 * Parses scikit-learn's bundled-dataset CSV: a first line `ROWS,FEATURES,<class names...>`
 * (absent in some files, such as digits), then rows of features with the class index last.
 */
export function parseSklearnCsv(text: string, source: string, expected: { rows: number; numFeatures: number }): ParsedTable {
  const newline = text.indexOf("\n");
  const firstLine = (newline < 0 ? text : text.slice(0, newline)).trim().split(",");
  const hasHeader = firstLine.some((f) => parseNumber(f) === undefined);
  let classNames: string[] | undefined;
  if (hasHeader) {
    const [rows, numFeatures, ...names] = firstLine;
    if (Number(rows) !== expected.rows || Number(numFeatures) !== expected.numFeatures) {
      throw new Error(`${source}: the header says ${rows} rows of ${numFeatures} features; expected ${expected.rows} of ${expected.numFeatures}`);
    }
    classNames = names.map((n) => n.trim());
  }
  const table = parseCsv(hasHeader ? text.slice(newline + 1) : text, { header: false, source });
  if (table.rows !== expected.rows || table.numFeatures !== expected.numFeatures) {
    throw new Error(`${source}: read ${table.rows} rows of ${table.numFeatures} features; expected ${expected.rows} of ${expected.numFeatures} (truncated?)`);
  }
  return classNames ? { ...table, classNames } : table;
}

/** Decompresses gzip bytes with the platform's DecompressionStream (Node 18+ and browsers). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
