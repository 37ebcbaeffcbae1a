// `npm run bench`: every side-by-side comparison in one process, printed as markdown tables
// (copy them into bench/RESULTS.md with the machine and date). Suites: matmul, mlp,
// activations, digits; pass names to run a subset, e.g. `npm run bench -- matmul mlp`.

import { cpus } from "node:os";
import { activationRows } from "./compare/mlp.js";
import { digitsRows } from "./compare/digits.js";
import { markdownTable } from "./compare/harness.js";
import { matmulRows } from "./compare/matmul.js";
import { mlpRows } from "./compare/mlp.js";
import { tf, tunegradBackends } from "./compare/backends.js";

const suites = {
  matmul: (b: string[]) => matmulRows(b),
  mlp: (b: string[]) => mlpRows(b),
  activations: (b: string[]) => activationRows(b),
  digits: (b: string[]) => digitsRows(b),
};

const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!(w in suites)) throw new Error(`unknown suite "${w}"; the suites are: ${Object.keys(suites).join(", ")}`);
}
const { names, webgpu } = await tunegradBackends();
console.log(`# tunegrad benchmarks\n`);
console.log(`- date: ${new Date().toISOString()}`);
console.log(`- machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`);
console.log(`- tunegrad backends: ${names.join(", ")} (WebGPU: ${webgpu})`);
console.log(`- tfjs ${tf.version.tfjs}, backends cpu and wasm (SIMD, one thread)`);
console.log(`- figures: median over tinybench samples after warm-up ± median absolute deviation\n`);
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`## ${name}\n\n${markdownTable(name, await run(names))}\n`);
}
