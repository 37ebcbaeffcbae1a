import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { data } from "../src/nn/index.js";
import { Generator } from "../src/tensor/index.js";

describe("datasets", () => {
  it("digits: 1797 examples of 64 pixels scaled to [0, 1], 10 balanced-ish classes", async () => {
    const digits = await data.load("digits");
    assert.equal(digits.length, 1797);
    assert.equal(digits.numFeatures, 64);
    assert.equal(digits.numClasses, 10);
    assert.equal(Math.max(...digits.features), 1);
    assert.equal(Math.min(...digits.features), 0);
    // The first row of the file: a zero.
    assert.deepEqual([...digits.features.subarray(0, 8)].map((v) => v * 16), [0, 0, 5, 13, 9, 1, 0, 0]);
    assert.equal(digits.labels[0], 0);
    const counts = new Array(10).fill(0);
    for (const l of digits.labels) counts[l]++;
    assert.ok(counts.every((c) => c >= 174 && c <= 183), counts.join(","));
    const raw = await data.load("digits", { scale: false });
    assert.equal(Math.max(...raw.features), 16);
  });

  it("iris: 150 examples, 4 features, the class names from the header", async () => {
    const iris = await data.load("iris");
    assert.equal(iris.length, 150);
    assert.equal(iris.numFeatures, 4);
    assert.deepEqual(iris.info.classNames, ["setosa", "versicolor", "virginica"]);
    assert.deepEqual([...iris.features.subarray(0, 4)].map((v) => +v.toFixed(1)), [5.1, 3.5, 1.4, 0.2]);
  });

  it("loads from bytes and text without the file system (the browser path)", async () => {
    const gz = new Uint8Array(await readFile(new URL("../data/digits.csv.gz", import.meta.url)));
    assert.equal((await data.digitsFromBytes(gz)).length, 1797);
    const text = await readFile(new URL("../data/iris.csv", import.meta.url), "utf8");
    assert.equal(data.irisFromText(text).length, 150);
  });

  it("rejects unknown dataset options and a truncated file", async () => {
    await assert.rejects(data.load("iris", { scale: true }), /dataset "iris" has no option "scale"; it takes no options/);
    await assert.rejects(data.load("digits", { scale: "yes" }), /dataset "digits": scale must be true or false, got "yes"/);
    const text = await readFile(new URL("../data/iris.csv", import.meta.url), "utf8");
    assert.throws(() => data.irisFromText(text.split("\n").slice(0, 100).join("\n")), /iris\.csv: read 99 rows of 4 features; expected 150 of 4 \(truncated\?\)/);
  });

  it("the data folder carries the attribution", async () => {
    const readme = await readFile(new URL("../data/README.md", import.meta.url), "utf8");
    assert.match(readme, /E\. Alpaydin and C\. Kaynak/);
    assert.match(readme, /R\. A\. Fisher/);
    assert.match(readme, /CC BY 4\.0/);
  });
});

describe("CSV of numeric features with a label column", () => {
  it("parses a header, numeric labels in the last column, and names", () => {
    const t = data.parseCsv("a,b,label\n1,2,0\n3.5,-4,1\n\n");
    assert.deepEqual([...t.features], [1, 2, 3.5, -4]);
    assert.deepEqual([...t.labels], [0, 1]);
    assert.deepEqual(t.featureNames, ["a", "b"]);
    assert.equal(t.classNames, undefined);
  });

  it("maps string labels to sorted class indices and takes the label column by name or index", () => {
    const byName = data.parseCsv("kind,x,y\ncat,1,2\ndog,3,4\ncat,5,6", { labelColumn: "kind" });
    assert.deepEqual(byName.classNames, ["cat", "dog"]);
    assert.deepEqual([...byName.labels], [0, 1, 0]);
    assert.deepEqual([...byName.features], [1, 2, 3, 4, 5, 6]);
    // Mixed labels: numbers by value first ("2" before "10"), then the names.
    assert.deepEqual(data.parseCsv("x,label\n1,cat\n2,10\n3,2\n").classNames, ["2", "10", "cat"]);
    const byIndex = data.parseCsv("7,1,2\n8,3,4", { labelColumn: 0 });
    assert.deepEqual([...byIndex.labels], [7, 8]);
    assert.deepEqual([...byIndex.features], [1, 2, 3, 4]);
  });

  it("a first line of numbers and a class name is data, not a header; an empty label is an error", () => {
    const t = data.parseCsv("1,2,setosa\n3,4,versicolor\n5,6,setosa\n");
    assert.equal(t.rows, 3);
    assert.deepEqual(t.classNames, ["setosa", "versicolor"]);
    assert.equal(t.featureNames, undefined);
    assert.equal(data.parseCsv("x,2,0\n1,2,0").rows, 1, "a name in a feature column still makes a header");
    assert.throws(() => data.parseCsv("a,b,label\n1,2,\n3,4,1\n", { source: "f.csv" }), /^Error: f\.csv line 2, column 3 \("label"\): the label is empty$/);
    assert.throws(() => data.parseCsv("a,b,label\n1,2,0\n3,4,nan\n", { source: "f.csv" }), /f\.csv line 3: the label "nan" is not a finite number/);
  });

  it("reads quoted fields as RFC 4180 writes them: commas, line breaks and doubled quotes inside, a BOM before", () => {
    const t = data.parseCsv('\uFEFF"a","b","label"\r\n"1","2","setosa"\r\n3,4,"versi, ""color"""\n5,6,"two\nlines"\n');
    assert.deepEqual(t.featureNames, ["a", "b"]);
    assert.deepEqual(t.classNames, ["setosa", "two\nlines", 'versi, "color"']);
    assert.deepEqual([...t.labels], [0, 2, 1]);
    assert.deepEqual([...t.features], [1, 2, 3, 4, 5, 6]);
    assert.equal(data.parseCsv('"x","y","kind"\n1,2,cat', { labelColumn: "kind" }).rows, 1);
    // Lines are counted through quoted line breaks.
    assert.throws(() => data.parseCsv('a,b,c\n1,2,"x\ny"\n1,2', { source: "f.csv" }), /f\.csv line 4: expected 3 fields, got 2/);
    assert.throws(() => data.parseCsv('a,b,c\n1,2,"open\n', { source: "f.csv" }), /f\.csv line 2: a quoted field is never closed/);
    assert.throws(() => data.parseCsv('a,b,c\n1,2,"x"y\n', { source: "f.csv" }), /f\.csv line 2: "y" after a closing quote; a quoted field ends at a comma or the end of its line/);
  });

  it("names the line and column of a bad value", () => {
    assert.throws(() => data.parseCsv("a,b,c\n1,2,0\n1,x,0", { source: "f.csv" }), /^Error: f\.csv line 3, column 2 \("b"\): "x" is not a number$/);
    assert.throws(() => data.parseCsv("1,2,0\n1,0"), /CSV line 2: expected 3 fields, got 2/);
    assert.throws(() => data.parseCsv("a,b\n1,2", { labelColumn: "c" }), /no column named "c"; the columns are a, b/);
    assert.throws(() => data.parseCsv(""), /the CSV is empty/);
  });

  it("the csv dataset loads a file, gzip-compressed or not", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tunegrad-csv-"));
    try {
      const text = "f1,f2,y\n0.5,1,1\n2,3,0\n";
      await writeFile(join(dir, "plain.csv"), text);
      await writeFile(join(dir, "packed.csv.gz"), gzipSync(text));
      for (const file of ["plain.csv", "packed.csv.gz"]) {
        const ds = await data.load("csv", { path: join(dir, file), labelColumn: "y" });
        assert.deepEqual([...ds.features], [0.5, 1, 2, 3]);
        assert.deepEqual([...ds.labels], [1, 0]);
      }
      await assert.rejects(data.load("csv", {}), /dataset "csv" needs path, the CSV file's path, got undefined/);
      await assert.rejects(data.load("csv", { path: join(dir, "missing.csv") }), /ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("Dataset and DataLoader", () => {
  const ds = new data.Dataset(Float32Array.from({ length: 20 }, (_, i) => i), Float32Array.from({ length: 10 }, (_, i) => i % 3), 2);

  it("splits with a seed: disjoint, complete, reproducible", () => {
    const a = ds.split({ validation: 0.3, generator: new Generator(1) });
    const b = ds.split({ validation: 0.3, generator: new Generator(1) });
    const c = ds.split({ validation: 0.3, generator: new Generator(2) });
    assert.equal(a.validation.length, 3);
    assert.equal(a.train.length, 7);
    assert.deepEqual(a.validation.features, b.validation.features);
    assert.notDeepEqual(a.validation.features, c.validation.features);
    const rows = (d: data.Dataset) => Array.from({ length: d.length }, (_, i) => d.features[2 * i]! / 2);
    assert.deepEqual([...rows(a.train), ...rows(a.validation)].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.throws(() => ds.split({ validation: 1, generator: new Generator(1) }), /validation must be a fraction in \(0, 1\), got 1/);
  });

  it("batches in order, keeps rows and labels together, and handles the last batch", async () => {
    const loader = new data.DataLoader(ds, { batchSize: 4 });
    assert.equal(loader.length, 3);
    const batches = [];
    for (const { x, y } of loader) batches.push({ shape: x.shape, x: [...(await x.data())], y: [...(await y.data())] });
    assert.deepEqual(batches.map((b) => b.shape), [[4, 2], [4, 2], [2, 2]]);
    assert.deepEqual(batches[2], { shape: [2, 2], x: [16, 17, 18, 19], y: [2, 0] });
    const dropped = new data.DataLoader(ds, { batchSize: 4, dropLast: true });
    assert.equal(dropped.length, 2);
    assert.equal([...dropped.epoch(0)].length, 2);
  });

  it("shuffles per epoch from the seed alone, and disposes each batch when it moves on", async () => {
    const a = new data.DataLoader(ds, { batchSize: 10, shuffle: true, seed: 5 });
    const b = new data.DataLoader(ds, { batchSize: 10, shuffle: true, seed: 5 });
    assert.deepEqual(a.order(3), b.order(3));
    assert.notDeepEqual(a.order(0), a.order(1));
    assert.deepEqual([...a.order(0)].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const seen: { x: { disposed: boolean } }[] = [];
    for (const batch of a.epoch(2)) {
      const rows = await batch.x.data();
      const labels = await batch.y.data();
      a.order(2).forEach((index, i) => {
        assert.equal(rows[2 * i], 2 * index);
        assert.equal(labels[i], index % 3);
      });
      seen.push(batch);
    }
    assert.ok(seen.every((batch) => batch.x.disposed));
    assert.throws(() => new data.DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  });

  it("standardises with statistics()", () => {
    const { mean, inverseStd } = ds.statistics();
    assert.deepEqual(mean, [9, 10]);
    const z = ds.normalized(mean, inverseStd);
    const { mean: m2, inverseStd: s2 } = z.statistics();
    m2.forEach((v) => assert.ok(Math.abs(v) < 1e-6));
    s2.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-5));
  });
});
