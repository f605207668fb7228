import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/build.mjs';

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A src/ of two modules, main.ts importing the other lazily, and where its dist/ goes. */
function project() {
  const root = mkdtempSync(join(tmpdir(), 'ledgerline-build-'));
  scratch.push(root);
  const srcDir = join(root, 'src');
  mkdirSync(srcDir);
  writeFileSync(
    join(srcDir, 'main.ts'),
    "const { answer } = await import('./answer.js');\nexport const result: number = answer;\n",
  );
  writeFileSync(join(srcDir, 'answer.ts'), 'export const answer: number = 41;\n');
  return { srcDir, outDir: join(root, 'dist') };
}

async function run(outDir: string): Promise<number> {
  const { result } = (await import(`${join(outDir, 'main.js')}?t=${Math.random()}`)) as { result: number };
  return result;
}

/** Moves a file's mtime ahead, as an editor saving it would. */
function touch(path: string, text: string): void {
  writeFileSync(path, text);
  const later = new Date(Date.now() + 5_000);
  utimesSync(path, later, later);
}

describe('the build npm start runs (scripts/build.mjs)', () => {
  it('builds once, then does nothing until a source changes', async () => {
    // given a project never built
    const { srcDir, outDir } = project();
    // when it is built twice
    const first = await ensureBuilt({ srcDir, outDir });
    const second = await ensureBuilt({ srcDir, outDir });
    // then only the first built, and the result runs as JavaScript
    expect(first.built).toBe(true);
    expect(second.built).toBe(false);
    expect(await run(outDir)).toBe(41);
  });

  it('rebuilds after an edit, and after a file is added or removed', async () => {
    const { srcDir, outDir } = project();
    await ensureBuilt({ srcDir, outDir });
    // when a module changes
    touch(join(srcDir, 'answer.ts'), 'export const answer: number = 42;\n');
    // then the next start builds it
    expect((await ensureBuilt({ srcDir, outDir })).built).toBe(true);
    expect(await run(outDir)).toBe(42);
    // when a file is added (its folder's entry count moves even if its mtime is old)
    writeFileSync(join(srcDir, 'unused.ts'), 'export {};\n');
    utimesSync(join(srcDir, 'unused.ts'), new Date(0), new Date(0));
    expect((await ensureBuilt({ srcDir, outDir })).built).toBe(true);
    rmSync(join(srcDir, 'unused.ts'));
    expect((await ensureBuilt({ srcDir, outDir })).built).toBe(true);
  });

  it('keeps the last good build when a build fails, and tries again next time', async () => {
    const { srcDir, outDir } = project();
    await ensureBuilt({ srcDir, outDir });
    // when a module no longer parses
    touch(join(srcDir, 'answer.ts'), 'export const answer: number = ;\n');
    await expect(ensureBuilt({ srcDir, outDir })).rejects.toThrow();
    // then the previous build is still there and runs, no half-written tree is left beside it
    expect(await run(outDir)).toBe(41);
    expect(readdirSync(join(outDir, '..')).filter((name) => name.startsWith('dist.'))).toEqual([]);
    // and once fixed, the next start builds
    touch(join(srcDir, 'answer.ts'), 'export const answer: number = 43;\n');
    expect((await ensureBuilt({ srcDir, outDir })).built).toBe(true);
    expect(await run(outDir)).toBe(43);
    expect(existsSync(join(outDir, '.built.json'))).toBe(true);
  });

  it('survives starts that build at the same time: each ends with a whole, current dist/', async () => {
    // given a project never built, and four starts at once (npm start and npm run seed after an edit)
    const { srcDir, outDir } = project();
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => ensureBuilt({ srcDir, outDir })),
    );
    // then none failed, the result runs, and no staging or old tree is left beside it
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await run(outDir)).toBe(41);
    expect(readdirSync(join(outDir, '..')).filter((name) => name.startsWith('dist.'))).toEqual([]);
    expect((await ensureBuilt({ srcDir, outDir })).built).toBe(false);
  });
});
