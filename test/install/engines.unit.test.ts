import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }>;
};

/** The oldest Node the README promises: the floor of package.json's `engines.node`. */
const promised = semver.minVersion(manifest.engines.node)!;

describe('the Node version the README promises', () => {
  it('is the floor of package.json engines.node', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toContain(`Node ${promised.major}.${promised.minor}+`);
  });

  it('is admitted by every package npm installs, so `npm install` prints no engine warning', () => {
    // given every package the lockfile installs, with the Node range it declares
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range && !semver.satisfies(promised, range) ? [`${path}@${entry.version}: node ${range}`] : [];
      });
    // then none refuses the promised floor
    expect(refusing).toEqual([]);
  });
});
