// The browser build (`npm run build:browser`): ES modules made by esbuild for browsers, in three
// builds (the library, the trial worker, the demo and its trainable).
//
//   dist/browser/tunegrad.js      the library: src/browser/index.ts (the public API plus IndexedDB
//                                 storage and the in-page kernel check)
//   dist/browser/trial-worker.js  the entry of a trial's Web Worker (src/browser/web-worker-entry.ts)
//   dist/browser/demo.js          examples/browser/main.ts, which imports the library as ./tunegrad.js
//   dist/browser/trainable.js     examples/browser/trainable.ts, the demo's trainable for Web Workers
//
// The Node-only modules behind the public API are replaced by browser ones with the same exports:
// worker threads by Web Workers, and the file system by modules in src/browser/replacements, each
// failing with an error that names the browser alternative. The build then
// fails if anything Node-only still reaches a bundle: an import of a Node built-in (`node:fs`,
// `worker_threads`, ...), of the Dawn `webgpu` package, or any of the replaced modules themselves.

import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BROWSER_OUT_DIR = path.join(ROOT, "dist", "browser");

/** Node-only module -> its browser replacement (paths from the repository root). */
const REPLACEMENTS: Record<string, string> = {
  "src/tune/file-storage.ts": "src/browser/replacements/file-storage.ts",
  "src/tune/executors/worker.ts": "src/browser/web-worker-executor.ts",
  "src/nn/node-files.ts": "src/browser/replacements/node-files.ts",
};

/** Modules that must never be in a browser bundle: the replaced ones, and the worker thread entry. */
const NODE_ONLY_SOURCES = [...Object.keys(REPLACEMENTS), "src/tune/executors/worker-entry.ts"];

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** Packages that only work in Node. */
const NODE_ONLY_PACKAGES = new Set(["webgpu"]);

export interface BuildResult {
  /** The files written, absolute. */
  files: string[];
  /** Source files in each bundle, relative to the repository root. */
  inputs: Record<string, string[]>;
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** Swaps each Node-only module for its browser replacement, whatever relative path imports it. */
const replaceNodeOnlyModules: esbuild.Plugin = {
  name: "replace-node-only-modules",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = relative(path.resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
      const replacement = REPLACEMENTS[target];
      return replacement === undefined ? undefined : { path: path.join(ROOT, replacement) };
    });
  },
};

/**
 * Records every import of a Node built-in or a Node-only package instead of failing at the first
 * with esbuild's "could not resolve", so the error can list them all with their importers.
 */
function recordNodeImports(found: string[]): esbuild.Plugin {
  return {
    name: "record-node-imports",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const nodeOnly = args.path.startsWith("node:") || NODE_BUILTINS.has(args.path) || NODE_BUILTINS.has(args.path.split("/")[0]!) || NODE_ONLY_PACKAGES.has(args.path.split("/")[0]!);
        if (!nodeOnly) return undefined;
        found.push(`${args.path} (imported by ${relative(args.importer)})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/** The demo imports the library through its source entry; in the bundle that is ./tunegrad.js. */
const libraryAsSibling: esbuild.Plugin = {
  name: "library-as-sibling",
  setup(build) {
    build.onResolve({ filter: /src\/browser\/index\.js$/ }, () => ({ path: "./tunegrad.js", external: true }));
  },
};

function checkInputs(name: string, metafile: esbuild.Metafile, nodeImports: string[], extraCheck?: (inputs: string[]) => string[]): string[] {
  const inputs = Object.keys(metafile.inputs).map((file) => relative(path.resolve(ROOT, file)));
  const problems = [...nodeImports.map((i) => `imports the Node-only module ${i}`)];
  for (const file of NODE_ONLY_SOURCES) if (inputs.includes(file)) problems.push(`includes the Node-only source ${file}`);
  problems.push(...(extraCheck?.(inputs) ?? []));
  if (problems.length > 0) {
    throw new Error(
      `the browser bundle ${name} is not browser-safe:\n  ${problems.join("\n  ")}\n` +
        `Keep Node-only code behind the modules replaced in scripts/build-browser.ts (REPLACEMENTS), or import it lazily from Node-only paths.`,
    );
  }
  return inputs;
}

/** Builds the bundles into `outdir` (default dist/browser) and checks that they are browser-safe. */
export async function buildBrowser(options: { outdir?: string; minify?: boolean } = {}): Promise<BuildResult> {
  const outdir = options.outdir ?? BROWSER_OUT_DIR;
  const common: esbuild.BuildOptions = {
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    metafile: true,
    minify: options.minify ?? false,
    logLevel: "warning",
    absWorkingDir: ROOT,
    outdir,
  };

  const libraryNodeImports: string[] = [];
  const library = await esbuild.build({
    ...common,
    entryPoints: { tunegrad: path.join(ROOT, "src/browser/index.ts") },
    plugins: [recordNodeImports(libraryNodeImports), replaceNodeOnlyModules],
  });
  const libraryInputs = checkInputs("tunegrad.js", library.metafile!, libraryNodeImports);

  const workerNodeImports: string[] = [];
  const trialWorker = await esbuild.build({
    ...common,
    entryPoints: { "trial-worker": path.join(ROOT, "src/browser/web-worker-entry.ts") },
    plugins: [recordNodeImports(workerNodeImports)],
  });
  const workerInputs = checkInputs("trial-worker.js", trialWorker.metafile!, workerNodeImports);

  const demoNodeImports: string[] = [];
  const demo = await esbuild.build({
    ...common,
    entryPoints: { demo: path.join(ROOT, "examples/browser/main.ts"), trainable: path.join(ROOT, "examples/browser/trainable.ts") },
    plugins: [recordNodeImports(demoNodeImports), libraryAsSibling],
  });
  // Library code compiled into the demo would be a second copy (a second tensor engine).
  const demoInputs = checkInputs("demo.js", demo.metafile!, demoNodeImports, (inputs) =>
    inputs.filter((file) => file.startsWith("src/")).map((file) => `compiles ${file} in; the demo must import the library only through src/browser/index.js`),
  );

  const files = [library, trialWorker, demo].flatMap((b) => Object.keys(b.metafile!.outputs)).map((file) => path.resolve(ROOT, file));
  return { files, inputs: { "tunegrad.js": libraryInputs, "trial-worker.js": workerInputs, "demo.js": demoInputs } };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await buildBrowser({ minify: process.argv.includes("--minify") });
  const { statSync } = await import("node:fs");
  for (const file of result.files.filter((f) => f.endsWith(".js"))) {
    console.log(`${relative(file)}  ${(statSync(file).size / 1024).toFixed(1)} KiB`);
  }
  console.log(`checked: no Node built-in, no Dawn, no Node-only module in any bundle (${result.inputs["tunegrad.js"]!.length} library sources)`);
}
