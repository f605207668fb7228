// Bundles src/main.ts and the libraries it uses into dist/, so the server starts on one
// JavaScript file instead of compiling TypeScript and resolving some 600 modules at every
// start. Each command's own modules (loaded with import()) become chunks of their own.
// `ensureBuilt` is a no-op while dist/ was built from the sources as they are: `npm start`
// pays for a build only after an edit. Type checking stays with `npm run typecheck`.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = '.built.json';

/** Every file and folder under `dir`; a folder's mtime moves when a file in it is added, renamed or deleted. */
function listTree(dir) {
  const entries = [{ path: dir, mtimeMs: statSync(dir).mtimeMs }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) entries.push(...listTree(path));
    else entries.push({ path, mtimeMs: statSync(path).mtimeMs });
  }
  return entries;
}

/** What a build depends on: the sources, the installed libraries' lockfile and this script. */
function sourceState(srcDir) {
  const others = [fileURLToPath(import.meta.url), join(ROOT, 'package-lock.json')];
  const entries = [...listTree(srcDir), ...others.map((path) => ({ path, mtimeMs: statSync(path).mtimeMs }))];
  return { newest: Math.max(...entries.map((e) => e.mtimeMs)), count: entries.length };
}

function readStamp(outDir) {
  try {
    return JSON.parse(readFileSync(join(outDir, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

const sameState = (stamp, state) =>
  stamp !== undefined && stamp.newest === state.newest && stamp.count === state.count;

/**
 * Builds `srcDir` into `outDir` unless the last build saw the same sources. The new tree
 * is written beside the old one and swapped in whole, so a build that fails half-way
 * leaves the previous dist/ (and no stamp claiming it is current) behind.
 * Returns what it did and how long it took.
 */
export async function ensureBuilt({ srcDir = join(ROOT, 'src'), outDir = join(ROOT, 'dist') } = {}) {
  const started = performance.now();
  const state = sourceState(srcDir);
  const stamp = readStamp(outDir);
  if (sameState(stamp, state)) {
    return { built: false, ms: performance.now() - started };
  }
  const { build } = await import('esbuild');
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = `${outDir}.building-${tag}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await bundle(build, srcDir, staging);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  writeFileSync(join(staging, STAMP), JSON.stringify(state));
  // Swapped by two renames, so a start loading dist/ meanwhile finds it whole almost always.
  // Two builds at once (npm start and npm run seed after an edit): the one that loses the
  // race keeps what the winner built from the same sources.
  const old = `${outDir}.old-${tag}`;
  try {
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(outDir, old);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    renameSync(staging, outDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!sameState(readStamp(outDir), state)) throw error;
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
  return { built: true, ms: performance.now() - started };
}

function bundle(build, srcDir, outdir) {
  return build({
    entryPoints: [join(srcDir, 'main.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'error',
    // Loaded from node_modules as they are: PGlite finds its WebAssembly and data files
    // beside its own module, GraphiQL's 9 MB page is read only when a browser asks for it,
    // and the rest are optional native add-ons their packages try and do without.
    external: [
      '@electric-sql/pglite',
      '@graphql-yoga/render-graphiql',
      'pg-native',
      'bufferutil',
      'utf-8-validate',
    ],
    // CommonJS libraries inside an ES module bundle still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { built, ms } = await ensureBuilt();
  process.stderr.write(built ? `built dist/ from src/ in ${Math.round(ms)} ms\n` : 'dist/ is current\n');
}
