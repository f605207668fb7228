import { fork } from 'node:child_process';
const { loadConfig } = await import('/work/main/src/config.js');
const { startInProcess } = await import('/work/main/bench/api-server.js');
const { createBenchDatabase, adminUrl } = await import('/work/main/bench/support.js');
const { CREATE_ORDER, ITEMS } = await import('/work/main/bench/api-clients.js');
const bench = await createBenchDatabase(adminUrl(), 'decomp', 10);
const config = loadConfig({ ...process.env, DATABASE_URL: bench.url, LOG_LEVEL: 'silent' });
const server = await startInProcess(config, true);
const child = fork('/work/main/.scratch/loadchild.mts', { execArgv: ['--import', 'tsx'] });
const run = (body: string, expect: string, count: number) => new Promise<any>((res) => { child.once('message', res); child.send({ url: server.url, body, expect, count }); });
const create = (i: string) => JSON.stringify({ query: CREATE_ORDER, variables: { input: process.env.SAMEUSER === 'noid' ? { userId: 'u-$N', items: ITEMS } : process.env.SAMEUSER === 'id' ? { id: `o-${i}-$N`, userId: 'user-1', items: ITEMS } : process.env.SAMEUSER ? { userId: 'user-1', items: ITEMS } : { id: `o-${i}-$N`, userId: 'u-$N', items: ITEMS } } });
const cases: [string, string, string][] = process.env.SAMEUSER ? [['createOrder', create('m'), 'CreateOrderSuccess']] : [
  ['typename', JSON.stringify({ query: '{ __typename }' }), 'Query'],
  ['order read', JSON.stringify({ query: 'query Q($id: ID!) { order(id: $id) { id status totalAmount } }', variables: { id: 'o-warm-$N' } }), '"status"'],
  ['createOrder', create('m'), 'CreateOrderSuccess'],
];
await run(create('warm'), 'CreateOrderSuccess', 3000);
for (const round of [1, 2]) for (const [name, body, expect] of cases) {
  await new Promise((r) => setTimeout(r, 1500));
  const u0 = server.usage(); const r = await run(body.replace('o-m-', `o-m${round}-`), expect, name === 'createOrder' ? 4000 : 3000); const u1 = server.usage();
  const count = name === 'createOrder' ? 4000 : 3000;
  console.log(name.padEnd(12), 'per s', Math.round(count * 1000 / r.ms), 'server cpu ms/op', ((u1.cpuMs - u0.cpuMs) / count).toFixed(3), 'client', (r.clientCpuMs / count).toFixed(3));
}
child.kill(); await server.stop(); await bench.dispose(); process.exit(0);
