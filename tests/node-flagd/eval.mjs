#!/usr/bin/env node
// Reference evaluator for the rollout test suite: resolves a boolean flag from a
// flagd flag-definition file with the real OpenFeature flagd-core (JS) evaluator.
//
//   node tests/node-flagd/eval.mjs FLAGS_JSON FLAG_KEY IDS_FILE [--context-attr KEY=VALUE]... [--details]
//       For each id in IDS_FILE (one a line; "-" reads stdin; empty lines and a
//       trailing "\r" are dropped) resolves FLAG_KEY with the evaluation context
//       {targetingKey: id, KEY: VALUE...} and prints "id<TAB>true|false".
//       --details adds "<TAB>variant<TAB>reason" to every line.
//       Any resolution error (flag not found, parse error, type mismatch, ...) is
//       reported on stderr, the line still prints the default (false), and the
//       exit status is 2.
//
//   node tests/node-flagd/eval.mjs [FLAGS_JSON FLAG_KEY] --bench N [--context-attr KEY=VALUE]...
//       Evaluates user-0 .. user-(N-1) (generated in memory) and prints one line:
//       "flagd-core: N evaluations in S seconds (R per second)". Only the
//       evaluation loop is timed. Without FLAGS_JSON/FLAG_KEY a built-in flag of
//       the shape the rollout tool writes is used.
//
// Modules resolve from this file's directory (tests/node-flagd/node_modules),
// whatever the working directory: run `npm ci --prefix tests/node-flagd` first.

import { readFileSync } from 'node:fs';

const USAGE =
  'usage: node tests/node-flagd/eval.mjs FLAGS_JSON FLAG_KEY IDS_FILE [--context-attr KEY=VALUE]... [--details]\n' +
  '       node tests/node-flagd/eval.mjs [FLAGS_JSON FLAG_KEY] --bench N [--context-attr KEY=VALUE]...';

const BUILTIN_FLAG_KEY = 'use-new-builder-cards';
const BUILTIN_FLAGS = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    [BUILTIN_FLAG_KEY]: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      metadata: { rolloutStage: 'beta', rolloutRevision: 3 },
      targeting: {
        if: [
          { in: [{ var: 'targetingKey' }, ['beta-1', 'beta-2']] },
          'on',
          { in: [{ var: 'group' }, ['internal', 'developers', 'beta_testers']] },
          'on',
          {
            fractional: [
              { cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] },
              ['on', 10000],
              ['off', 90000],
            ],
          },
        ],
      },
    },
  },
};

function die(message, status = 64) {
  process.stderr.write(`eval.mjs: ${message}\n`);
  process.exit(status);
}

function parseArgs(argv) {
  const positional = [];
  const attrs = {};
  let bench = null;
  let details = false;
  let debug = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline = null;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = () => {
      if (inline !== null) return inline;
      if (i + 1 >= argv.length) die(`${arg} needs a value\n${USAGE}`);
      return argv[++i];
    };
    switch (arg) {
      case '--context-attr': {
        const kv = value();
        const at = kv.indexOf('=');
        if (at <= 0) die(`--context-attr wants KEY=VALUE, got '${kv}'`);
        const key = kv.slice(0, at);
        if (key === 'targetingKey') die('--context-attr cannot set targetingKey (it is the id)');
        attrs[key] = kv.slice(at + 1);
        break;
      }
      case '--bench': {
        const raw = value();
        if (!/^\d+$/.test(raw) || Number(raw) < 1) die(`--bench wants a positive integer, got '${raw}'`);
        bench = Number(raw);
        break;
      }
      case '--details':
        details = true;
        break;
      case '--debug':
        debug = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        if (arg.startsWith('--')) die(`unknown option ${arg}\n${USAGE}`);
        positional.push(argv[i]);
    }
  }
  return { positional, attrs, bench, details, debug };
}

async function loadFlagdCore() {
  try {
    return await import('@openfeature/flagd-core');
  } catch (err) {
    die(
      `cannot load @openfeature/flagd-core (${err.code || err.message}); ` +
        'run `npm ci --prefix tests/node-flagd` first',
      69,
    );
  }
}

function makeLogger(debug) {
  const out = (level) => (...args) => process.stderr.write(`flagd-core ${level}: ${args.map(String).join(' ')}\n`);
  const quiet = () => {};
  return { error: out('error'), warn: out('warn'), info: debug ? out('info') : quiet, debug: debug ? out('debug') : quiet };
}

function readIds(path) {
  let text;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    die(`cannot read ids file ${path}: ${err.message}`, 66);
  }
  const ids = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length > 0) ids.push(line);
  }
  return ids;
}

async function main() {
  const { positional, attrs, bench, details, debug } = parseArgs(process.argv.slice(2));

  let flagsText;
  let flagKey;
  if (bench !== null) {
    if (positional.length === 0) {
      flagsText = JSON.stringify(BUILTIN_FLAGS);
      flagKey = BUILTIN_FLAG_KEY;
    } else if (positional.length === 2) {
      [, flagKey] = positional;
    } else {
      die(`--bench takes either no positional arguments or FLAGS_JSON FLAG_KEY\n${USAGE}`);
    }
  } else {
    if (positional.length !== 3) die(USAGE);
    [, flagKey] = positional;
  }
  if (flagsText === undefined) {
    try {
      flagsText = readFileSync(positional[0], 'utf8');
    } catch (err) {
      die(`cannot read flags file ${positional[0]}: ${err.message}`, 66);
    }
  }

  const { FlagdCore } = await loadFlagdCore();
  const logger = makeLogger(debug);
  const core = new FlagdCore(undefined, logger);
  try {
    core.setConfigurations(flagsText);
  } catch (err) {
    const cause = err.cause ? ` (${err.cause.message || err.cause})` : '';
    die(`flagd-core rejected the flags file: ${err.message}${cause}`, 65);
  }
  if (!core.getFlag(flagKey)) die(`flag '${flagKey}' not found in the flags file`, 65);

  if (bench !== null) {
    const ids = new Array(bench);
    for (let i = 0; i < bench; i++) ids[i] = `user-${i}`;
    let on = 0;
    let errors = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < bench; i++) {
      const r = core.resolveBooleanEvaluation(flagKey, false, { ...attrs, targetingKey: ids[i] }, logger);
      if (r.value === true) on++;
      if (r.errorCode) errors++;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = Math.round(bench / seconds);
    process.stdout.write(`flagd-core: ${bench} evaluations in ${seconds.toFixed(3)} seconds (${rate} per second)\n`);
    if (debug) process.stderr.write(`eval.mjs: ${on} of ${bench} resolved true, ${errors} errors\n`);
    if (errors > 0) die(`${errors} evaluations returned an error`, 2);
    return;
  }

  const ids = readIds(positional[2]);
  const CHUNK = 8192;
  let buffer = [];
  let errorCount = 0;
  for (const id of ids) {
    const r = core.resolveBooleanEvaluation(flagKey, false, { ...attrs, targetingKey: id }, logger);
    if (r.errorCode) {
      errorCount++;
      if (errorCount <= 20) process.stderr.write(`eval.mjs: ${JSON.stringify(id)}: ${r.errorCode}: ${r.errorMessage ?? ''}\n`);
    }
    buffer.push(details ? `${id}\t${r.value}\t${r.variant ?? ''}\t${r.reason ?? ''}` : `${id}\t${r.value}`);
    if (buffer.length >= CHUNK) {
      process.stdout.write(buffer.join('\n') + '\n');
      buffer = [];
    }
  }
  if (buffer.length > 0) process.stdout.write(buffer.join('\n') + '\n');
  if (errorCount > 0) {
    process.stderr.write(`eval.mjs: ${errorCount} of ${ids.length} evaluations returned an error\n`);
    process.exitCode = 2;
  }
}

process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

await main();
