// `tunegrad lab ACTIVATION`: runs the property suite on an activation of the registry and prints
// what holds (finite, gradient correct, monotonic, bounded, saturating, smooth, ...). Exits with
// status 1 when a required property (finite values, a correct gradient) fails.
import { unaryOp } from "../../kernels/ops.js";
import { activations } from "../../nn/activations.js";
import { tensor } from "../../tensor/index.js";
import type { CliCommand } from "../command.js";
import { InputError } from "../json-checks.js";
import { activationFindings, formatFindings, labGrid, type Samples } from "../lab.js";

/** f and its autograd gradient at each grid point, computed by the engine (CPU backend). */
async function sample(name: string): Promise<Samples> {
  const x = labGrid();
  const input = tensor(new Float32Array(x), [x.length], { requiresGrad: true });
  const output = activations.create(name).forward(input);
  output.sum().backward();
  const f = [...(await output.data())];
  const df = [...(await input.grad!.data())];
  output.dispose();
  input.dispose();
  // The float32 inputs, so that the float64 reference is evaluated where the engine was.
  return { x: [...new Float32Array(x)], f, df };
}

export const labCommand: CliCommand = {
  spec: {
    name: "lab",
    summary: "Run the property suite on an activation (finite, gradient correct, monotonic, bounded, smooth, ...) and print what holds.",
    positionals: [{ name: "ACTIVATION", description: `an activation key: ${activations.keys().join(", ")}` }],
    flags: {},
  },

  async run({ positionals }, io) {
    const name = positionals.ACTIVATION!;
    if (!activations.has(name)) throw new InputError(`unknown activation "${name}"; the activations are: ${activations.keys().join(", ")}`);
    const op = unaryOp(name);
    const params = (op.params ?? []).map((p) => p.default);
    const findings = activationFindings(await sample(name), (x) => op.ts.f(x, params));
    io.stdout.write(formatFindings(name, op.description, findings));
    return findings.some((f) => f.required && !f.holds) ? 1 : 0;
  },
};
