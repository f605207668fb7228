import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Whether opening `dataDir` will make a new cluster (PGlite's initdb) rather than open one. */
export function needsInitdb(dataDir: string): boolean {
  return !existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * PGlite makes a new data directory with initdb, a WebAssembly instance of its own whose
 * memory (some 400 MB) is garbage once the directory exists. V8 hands it back only after
 * a few full collections, which an idle server may not run for hours, so the first start
 * held twice the memory of every later one. A fresh open therefore collects at once, a
 * few rounds with a turn of the event loop between them (WebAssembly memory is freed by
 * a finaliser that runs after the collection that found it dead): about 70 ms, once.
 */
export async function collectInitdbGarbage(): Promise<void> {
  let gc: () => void;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return; // a runtime that refuses the flag: V8 frees the memory later, on its own
  }
  for (let round = 0; round < 4; round++) {
    gc();
    await turn();
  }
}
