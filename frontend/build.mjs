// Bundle src/app.js + src/app.css into ../saas/static/dist with hashed names
// and write manifest.json ({"app.js": "app-HASH.js", ...}) for Flask.
// Usage: node build.mjs [--watch]
import * as esbuild from "esbuild";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, "../saas/static/dist");
const watch = process.argv.includes("--watch");

// After every (re)build: write the manifest and delete files no longer produced.
const manifestPlugin = {
  name: "manifest",
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      const manifest = {};
      const keep = new Set(["manifest.json"]);
      for (const [out, meta] of Object.entries(result.metafile.outputs)) {
        keep.add(path.basename(out));
        if (meta.entryPoint) manifest[path.basename(meta.entryPoint)] = path.basename(out);
      }
      for (const f of await readdir(outdir)) if (!keep.has(f)) await rm(path.join(outdir, f));
      const tmp = path.join(outdir, "manifest.json.tmp");
      await writeFile(tmp, JSON.stringify(manifest, null, 2) + "\n");
      await rename(tmp, path.join(outdir, "manifest.json")); // atomic for a running Flask
      console.log("manifest:", JSON.stringify(manifest));
    });
  },
};

// htmx's debug helper htmx._() contains a direct eval(): strip it so the bundle has
// no eval at all (CSP forbids it; allowEval=false anyway) and minifies fully.
const noEvalPlugin = {
  name: "htmx-no-eval",
  setup(build) {
    build.onLoad({ filter: /htmx\.org[\\/]dist[\\/]htmx\.esm\.js$/ }, async (args) => {
      const src = await readFile(args.path, "utf8");
      const out = src.replace("return eval(str)", 'throw new Error("htmx eval disabled")');
      if (out === src) throw new Error("htmx-no-eval: pattern not found, check htmx version");
      return { contents: out, loader: "js" };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const options = {
  absWorkingDir: here,
  entryPoints: ["src/app.js", "src/app.css"],
  outdir,
  entryNames: "[name]-[hash]",
  bundle: true,
  format: "iife",
  target: ["es2020"],
  minify: true,
  sourcemap: true,
  metafile: true,
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "info",
  plugins: [noEvalPlugin, manifestPlugin],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log("watching src/ ... (Ctrl-C to stop)");
} else {
  await esbuild.build(options);
}
