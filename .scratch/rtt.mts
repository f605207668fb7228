import pg from 'pg';
for (const cs of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://postgres@localhost/postgres?host=/var/run/postgresql']) {
  const c = new pg.Client({ connectionString: cs }); await c.connect();
  const r = await c.query('select inet_client_addr() as a'); 
  for (let i = 0; i < 2000; i++) await c.query({ text: 'select $1::int', values: [i], name: 'x' });
  const cpu0 = process.cpuUsage(); const t0 = performance.now(); const N = 10000;
  for (let i = 0; i < N; i++) await c.query({ text: 'select $1::int', values: [i], name: 'x' });
  const cpu = process.cpuUsage(cpu0); const el = performance.now() - t0;
  console.log(cs.slice(0, 40), 'addr', r.rows[0].a, 'µs/query wall', (el * 1000 / N).toFixed(1), 'client cpu µs/query', ((cpu.user + cpu.system) / N).toFixed(1), 'sys', (cpu.system / N).toFixed(1));
  await c.end();
}
