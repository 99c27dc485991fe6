#!/usr/bin/env node
// Synthetic traffic for scripts/demo-watch: serves /metrics (Prometheus text format) with the
// metrics examples/builder-cards/stages.yaml reads, for both variants of the flag. The mode is
// read from MODE_FILE at every scrape: "healthy" (0.2% errors), or "spike" (5% errors for
// variant="on").
//   node scripts/demo-traffic.mjs PORT MODE_FILE
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const [port, modeFile] = process.argv.slice(2);
if (!port || !modeFile) {
  console.error('usage: node scripts/demo-traffic.mjs PORT MODE_FILE');
  process.exit(2);
}
const c = {};            // counter name + labels -> value
const add = (key, n) => { c[key] = (c[key] ?? 0) + n; };
let last = Date.now();

function tick() {
  const now = Date.now();
  const dt = (now - last) / 1000;
  last = now;
  let mode = 'healthy';
  try { mode = readFileSync(modeFile, 'utf8').trim(); } catch { /* healthy */ }
  for (const variant of ['on', 'off']) {
    const requests = 1000 * dt;
    const errorShare = variant === 'on' && mode === 'spike' ? 0.05 : 0.002;
    add(`http_requests_total{status="500",variant="${variant}"}`, requests * errorShare);
    add(`http_requests_total{status="200",variant="${variant}"}`, requests * (1 - errorShare));
    const renders = 100 * dt;   // 90% under 50 ms, 99% under 100 ms: p95 about 75 ms
    add(`builder_card_render_seconds_bucket{le="0.05",variant="${variant}"}`, renders * 0.9);
    add(`builder_card_render_seconds_bucket{le="0.1",variant="${variant}"}`, renders * 0.99);
    add(`builder_card_render_seconds_bucket{le="+Inf",variant="${variant}"}`, renders);
    add(`builder_card_render_seconds_count{variant="${variant}"}`, renders);
    add(`builder_card_views_total{variant="${variant}"}`, renders);
    add(`builder_card_clicks_total{variant="${variant}"}`, renders * 0.08);
  }
}

createServer((req, res) => {
  if (req.url !== '/metrics') { res.writeHead(404).end(); return; }
  tick();
  const lines = [
    '# TYPE http_requests_total counter',
    '# TYPE builder_card_render_seconds histogram',
    '# TYPE builder_card_views_total counter',
    '# TYPE builder_card_clicks_total counter',
  ];
  for (const [k, v] of Object.entries(c)) lines.push(`${k} ${v.toFixed(3)}`);
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
}).listen(Number(port), '127.0.0.1');
