#!/usr/bin/env node
// scripts/unleash-eval.mjs - evaluate one Unleash flag for many user ids with the REAL Unleash
// Node SDK (npm unleash-client, pinned in tests/node-unleash/package.json), as a cross-check for
// the Rust implementation.
//
// usage: node scripts/unleash-eval.mjs --url URL --token BACKEND_TOKEN --flag FLAG --ids FILE
//                                      [--env development] [--prop KEY=VALUE]... [--timeout-ms 30000]
//                                      [--allow-missing]
//   --url     Unleash base URL (e.g. $UNLEASH_URL from scripts/unleash-up; "/api" is appended)
//   --token   backend (client) token; its environment decides which flag config is served
//   --ids     file with one user id per line (blank lines skipped; "-" reads stdin)
//   --env     context "environment" (default development); must match the token's environment
//   --prop    extra context property for every id, e.g. --prop group=staff (repeatable)
// Output: one line per id, "id<TAB>1" (enabled) or "id<TAB>0", in input order.
// Exit: 0 ok, 2 usage, 3 flag unknown to the server (unless --allow-missing), 1 other errors.
// Setup once: (cd tests/node-unleash && npm ci)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(here, '..', 'tests', 'node-unleash');

function usage(msg) {
  if (msg) process.stderr.write(`unleash-eval: ${msg}\n`);
  process.stderr.write(
    'usage: node scripts/unleash-eval.mjs --url URL --token BACKEND_TOKEN --flag FLAG --ids FILE ' +
      '[--env development] [--prop KEY=VALUE]... [--timeout-ms 30000] [--allow-missing]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { env: 'development', timeoutMs: 30000, allowMissing: false, props: {} };
  const keys = {
    '--url': 'url', '--token': 'token', '--flag': 'flag', '--ids': 'ids', '--env': 'env',
    '--timeout-ms': 'timeoutMs', '--prop': 'prop',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') usage();
    if (a === '--allow-missing') { opts.allowMissing = true; continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!(name in keys)) usage(`unknown argument: ${a}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) usage(`missing value for ${name}`);
    if (name === '--prop') {
      const i2 = value.indexOf('=');
      if (i2 <= 0) usage(`--prop wants KEY=VALUE, got: ${value}`);
      opts.props[value.slice(0, i2)] = value.slice(i2 + 1);
    } else {
      opts[keys[name]] = value;
    }
  }
  for (const k of ['url', 'token', 'flag', 'ids']) if (!opts[k]) usage(`--${k} is required`);
  opts.timeoutMs = Number(opts.timeoutMs);
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) usage('--timeout-ms must be a positive number');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// Resolve unleash-client from tests/node-unleash/node_modules, wherever we are run from.
let Unleash, InMemStorageProvider;
try {
  const require = createRequire(path.join(pkgDir, 'package.json'));
  ({ Unleash, InMemStorageProvider } = require('unleash-client'));
} catch (e) {
  process.stderr.write(`unleash-eval: cannot load unleash-client from ${pkgDir}/node_modules ` +
    `(run: cd ${pkgDir} && npm ci): ${e.message}\n`);
  process.exit(1);
}

// A backend token looks like "<project>:<environment>.<secret>": warn if --env disagrees.
const tokenEnv = /^[^:]+:([^.]+)\./.exec(opts.token)?.[1];
if (tokenEnv && tokenEnv !== '*' && tokenEnv !== opts.env) {
  process.stderr.write(`unleash-eval: warning: token is for environment '${tokenEnv}' but --env is '${opts.env}'; ` +
    'the server serves the token\'s environment\n');
}

const raw = opts.ids === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(opts.ids, 'utf8');
const ids = raw.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l !== '');

const url = opts.url.replace(/\/+$/, '') + (/\/api$/.test(opts.url.replace(/\/+$/, '')) ? '' : '/api');
const unleash = new Unleash({
  url,
  appName: 'rollout-unleash-eval',
  instanceId: `rollout-unleash-eval-${process.pid}`,
  environment: opts.env,
  customHeaders: { Authorization: opts.token },
  // Normal polling: with refreshInterval 0 the SDK never becomes ready.
  refreshInterval: 15000,
  disableMetrics: true,
  storageProvider: new InMemStorageProvider(), // no backup file in the OS temp dir
  skipInstanceCountWarning: true,
});

let done = false;
function fail(msg, code = 1) {
  if (done) return;
  done = true;
  process.stderr.write(`unleash-eval: ${msg}\n`);
  try { unleash.destroy(); } catch { /* ignore */ }
  process.exit(code);
}

const timer = setTimeout(() => fail(`not synchronized with ${url} after ${opts.timeoutMs} ms`), opts.timeoutMs);
unleash.on('error', (e) => fail(`client error: ${e?.message ?? e}`));
unleash.on('warn', (w) => process.stderr.write(`unleash-eval: warning: ${w?.message ?? w}\n`));

unleash.once('synchronized', () => {
  if (done) return;
  clearTimeout(timer);
  if (!unleash.getFeatureToggleDefinition(opts.flag) && !opts.allowMissing) {
    fail(`flag '${opts.flag}' is not served for this token (unknown flag or wrong project/environment)`, 3);
    return;
  }
  const out = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const ctx = { userId: ids[i], properties: opts.props };
    out[i] = `${ids[i]}\t${unleash.isEnabled(opts.flag, ctx) ? 1 : 0}`;
  }
  done = true;
  unleash.destroy();
  const text = out.length ? out.join('\n') + '\n' : '';
  process.stdout.write(text, () => process.exit(0));
});
