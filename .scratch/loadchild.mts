import http from 'node:http';
process.on('message', async (m: any) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let n = 0; const t0 = performance.now(); const cpu0 = process.cpuUsage();
  const bodyFor = (i: number) => m.body.replaceAll('$N', String(i));
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (n < m.count) { const i = n++; await new Promise<void>((res, rej) => {
      const b = bodyFor(i);
      const r = http.request(m.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) } }, (resp) => { let d = ''; resp.on('data', (c) => d += c); resp.on('end', () => { if (!d.includes(m.expect)) rej(new Error(d)); else res(); }); });
      r.on('error', rej); r.end(b); }); }
  }));
  const cpu = process.cpuUsage(cpu0);
  process.send!({ ms: performance.now() - t0, clientCpuMs: (cpu.user + cpu.system) / 1000 });
});
