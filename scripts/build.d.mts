/** Types of build.mjs, for the tests that drive it. */
export function ensureBuilt(options?: {
  srcDir?: string;
  outDir?: string;
}): Promise<{ built: boolean; ms: number }>;
