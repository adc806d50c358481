// Bundles the program (the project's TypeScript and its dependencies) into dist/ with esbuild,
// so a synth starts in plain node from one file instead of a TypeScript loader resolving
// hundreds of modules: see scripts/bench.sh. Skipped when dist/ is newer than every input.
// Type checking is separate: `npm run typecheck` (part of `npm test`).
const { buildSync } = require("esbuild");
const { existsSync, readdirSync, statSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const entryPoints = { main: "main.ts", cli: "cli/index.ts", docs: "docs-gen/main.ts" };
const inputs = ["main.ts", "config", "stacks", "modules", "cli", "cost", "docs-gen", "scripts/build.js", "node_modules/.package-lock.json"];

/** Newest modification time under `path` (a file or a folder). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const outputs = Object.keys(entryPoints).map((name) => join(root, "dist", `${name}.js`));
const built = outputs.every(existsSync) ? Math.min(...outputs.map((file) => statSync(file).mtimeMs)) : 0;
if (built < Math.max(...inputs.map((input) => join(root, input)).filter(existsSync).map(newest))) {
  buildSync({
    absWorkingDir: root,
    entryPoints,
    outdir: "dist",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // Its UMD build loads its parts with a computed require, which a bundle cannot hold.
    // The docs generator reads the schema's TSDoc with the TypeScript compiler, loaded from node_modules.
    external: ["jsonc-parser", "typescript"],
    // Host scripts, unit files and key lists ship inside the bundle as strings.
    loader: { ".txt": "text", ".sh": "text", ".service": "text" },
    logLevel: "warning",
  });
}
