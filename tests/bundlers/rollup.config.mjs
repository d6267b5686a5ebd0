// The standard minimal Rollup config: one entry, ES module output, and node-resolve so
// that Rollup finds packages in node_modules.
import { nodeResolve } from "@rollup/plugin-node-resolve";

export default {
  input: "src/index.js",
  output: { dir: "dist", format: "es" },
  plugins: [nodeResolve()],
};
