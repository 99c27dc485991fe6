#!/usr/bin/env node
// Builds and checks tests/fixtures/flagd-vectors.json with the real flagd-core evaluator.
//
//   node tests/node-flagd/vectors.mjs            check the fixture (exit 1 on any mismatch)
//   node tests/node-flagd/vectors.mjs --write    regenerate the fixture, then check it
//
// Every vector is {"bucket_key", "variants", "expected", "source", "murmur3_x86_32"}:
// a `fractional` rule whose bucket expression evaluates to exactly bucket_key, with
// the variants and weights in order, resolves to expected. murmur3_x86_32 is the
// seed-0 hash of the UTF-8 bytes of bucket_key.
//
// Check mode evaluates each vector with flagd-core (FlagdCore.setConfigurations +
// resolveStringEvaluation on {"fractional": [{"var": "bucketKey"}, ...variants]}).
// Non-ASCII vectors also carry "flagd_core_js": flagd-core 4.x hashes UTF-16 code
// units through imurmurhash, not UTF-8 bytes, so for them "expected" (the UTF-8
// result: flagd Go, Java, Python) is checked with the plain implementation below
// and flagd-core's answer is checked against "flagd_core_js".

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = resolve(here, '../fixtures/flagd-vectors.json');
const require = createRequire(import.meta.url);
const { FlagdCore } = require('@openfeature/flagd-core');
const MurmurHash3 = require('imurmurhash'); // the hash flagd-core itself uses

const GENERATED = 'flagd-core 4.x (generated)';
const ROLLOUT_FLAG = 'use-new-builder-cards';

// MurmurHash3 x86_32 over bytes (reference for UTF-8 keys).
function murmur3(bytes, seed = 0) {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = bytes[4 * i] | (bytes[4 * i + 1] << 8) | (bytes[4 * i + 2] << 16) | (bytes[4 * i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const t = blocks * 4;
  switch (n & 3) {
    case 3:
      k ^= bytes[t + 2] << 16;
    // fall through
    case 2:
      k ^= bytes[t + 1] << 8;
    // fall through
    case 1:
      k ^= bytes[t];
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
const utf8Hash = (s) => murmur3(Buffer.from(s, 'utf8'));
const jsHash = (s) => new MurmurHash3(s).result() >>> 0;
const isAscii = (s) => /^[\x00-\x7f]*$/.test(s);

// flagd >= 0.15 bucketing: bucket = (hash * total) >> 32; first variant whose running sum exceeds it.
function pick(hash, variants) {
  const total = variants.reduce((a, [, w]) => a + BigInt(w), 0n);
  if (total === 0n) return null;
  const bucket = (BigInt(hash) * total) >> 32n;
  let sum = 0n;
  for (const [name, w] of variants) {
    sum += BigInt(w);
    if (bucket < sum) return name;
  }
  return null;
}

const quietLogger = { error() {}, warn() {}, info() {}, debug() {} };

// Real evaluator: one flag per call keeps this simple; speed does not matter here.
function flagdCore(flagKey, targeting, ctx, variantNames) {
  const core = new FlagdCore(undefined, quietLogger);
  const variants = Object.fromEntries(variantNames.map((v) => [v, v]));
  core.setConfigurations(
    JSON.stringify({ flags: { [flagKey]: { state: 'ENABLED', variants, defaultVariant: null, targeting } } }),
  );
  const r = core.resolveStringEvaluation(flagKey, '<default>', ctx, quietLogger);
  if (r.errorCode) throw new Error(`flagd-core error ${r.errorCode}: ${r.errorMessage}`);
  return r.reason === 'TARGETING_MATCH' ? r.value : `<${r.reason}>`;
}
const evalBucketKey = (bucketKey, variants) =>
  flagdCore(
    'vector',
    { fractional: [{ var: 'bucketKey' }, ...variants] },
    { bucketKey },
    variants.map(([n]) => n),
  );

// ---------------------------------------------------------------- published vectors
const COLORS = (w) => [['red', w], ['blue', w], ['green', w], ['yellow', w]];
const SUITS = [['clubs', 25], ['diamonds', 25], ['hearts', 25], ['spades', 25]];
const GO_TEST = 'open-feature/flagd@04d23b3f:core/pkg/evaluator/fractional_test.go';
const TESTBED = 'open-feature/flagd-testbed gherkin/targeting.feature @fractional-v2';

function published() {
  const v = [];
  const header = { 'rachel@faas.com': 'blue', 'monica@faas.com': 'yellow', 'joey@faas.com': 'red', 'ross@faas.com': 'blue' };
  for (const [email, want] of Object.entries(header)) {
    v.push({
      bucket_key: `headerColor${email}`,
      variants: COLORS(25),
      expected: want,
      source: `${GO_TEST} TestFractionalEvaluation "${email}" (flag headerColor, {"cat":[{"var":"$flagd.flagKey"},{"var":"email"}]})`,
      reproduce: { flagKey: 'headerColor', bucketExpr: { cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ctx: { email } },
    });
  }
  const seeded = { 'rachel@faas.com': 'green', 'monica@faas.com': 'red', 'joey@faas.com': 'blue', 'ross@faas.com': 'green' };
  for (const [email, want] of Object.entries(seeded)) {
    v.push({
      bucket_key: `my-seed${email}`,
      variants: COLORS(25),
      expected: want,
      source: `${GO_TEST} "${email} with custom seed" ({"cat":["my-seed",{"var":"email"}]})`,
      reproduce: { flagKey: 'customSeededHeaderColor', bucketExpr: { cat: ['my-seed', { var: 'email' }] }, ctx: { email } },
    });
  }
  v.push({
    bucket_key: 'ross@faas.com',
    variants: COLORS(25),
    expected: 'red',
    source: `${GO_TEST} "ross@faas.com with different flag key" (flag footerColor, {"var":"email"})`,
    reproduce: { flagKey: 'footerColor', bucketExpr: { var: 'email' }, ctx: { email: 'ross@faas.com' } },
  });
  v.push({
    bucket_key: 'email',
    variants: [['red', 50], ['blue', 25], ['green', 25]],
    expected: 'green',
    source: `${GO_TEST} "non even split" (the literal string "email" is the bucket key)`,
    reproduce: { flagKey: 'headerColor', bucketExpr: 'email', ctx: { email: 'test4@faas.com' } },
  });
  v.push({
    bucket_key: 'foo@foo.com',
    variants: [['red', 25], ['blue', 25]],
    expected: 'blue',
    source: `${GO_TEST} "get variant for non-percentage weight values"`,
    reproduce: { flagKey: 'headerColor', bucketExpr: { var: 'email' }, ctx: { email: 'foo@foo.com' } },
  });
  v.push({
    bucket_key: 'headerColorfoo@foo.com',
    variants: [['blue', 50], ['green', 50]],
    expected: 'green',
    source: `${GO_TEST} "default to targetingKey if no bucket key provided" (bucket expression omitted: flagKey + targetingKey)`,
    reproduce: { flagKey: 'headerColor', bucketExpr: null, ctx: { targetingKey: 'foo@foo.com' } },
  });
  const suits = { jack: 'hearts', queen: 'spades', ten: 'clubs', nine: 'diamonds', 3: 'clubs' };
  for (const [name, want] of Object.entries(suits)) {
    v.push({
      bucket_key: `fractional-flag${name}`,
      variants: SUITS,
      expected: want,
      source: `${TESTBED} "Fractional operator" user.name=${name} (flags/custom-ops.json fractional-flag, {"cat":[{"var":"$flagd.flagKey"},{"var":"user.name"}]})`,
      reproduce: { flagKey: 'fractional-flag', bucketExpr: { cat: [{ var: '$flagd.flagKey' }, { var: 'user.name' }] }, ctx: { user: { name } } },
    });
  }
  const shared = { seven: 'hearts', eight: 'diamonds', nine: 'clubs', two: 'spades' };
  for (const [name, want] of Object.entries(shared)) {
    v.push({
      bucket_key: `shared-seed${name}`,
      variants: SUITS,
      expected: want,
      source: `${TESTBED} "Fractional operator with shared seed" user.name=${name} ({"cat":["shared-seed",{"var":"user.name"}]})`,
      reproduce: { flagKey: 'fractional-flag-A-shared-seed', bucketExpr: { cat: ['shared-seed', { var: 'user.name' }] }, ctx: { user: { name } } },
    });
  }
  const edges = { ejOoVL: ['lower', 'hash 0'], 'bY9fO-': ['lower', 'hash 1'], 'SI7p-': ['lower', 'hash 2^31-1'], '6LvT0': ['upper', 'hash 2^31'], ceQdGm: ['upper', 'hash 2^32-1'] };
  for (const [key, [want, note]] of Object.entries(edges)) {
    v.push({
      bucket_key: key,
      variants: [['lower', 50], ['upper', 50]],
      expected: want,
      source: `${TESTBED} "Fractional operator hash edge cases" targetingKey=${key} (${note})`,
      reproduce: { flagKey: 'fractional-hash-edge-flag', bucketExpr: { var: 'targetingKey' }, ctx: { targetingKey: key } },
    });
  }
  return v;
}

// ---------------------------------------------------------------- generated vectors
function bucketOf(hash, total) {
  return Number((BigInt(hash) * BigInt(total)) >> 32n);
}
// First id "user-N" whose bucket under ROLLOUT_FLAG is exactly `target` (boundary probes).
function idWithBucket(target, total, start = 0) {
  for (let i = start; i < start + 50_000_000; i++) {
    if (bucketOf(jsHash(`${ROLLOUT_FLAG}user-${i}`), total) === target) return `user-${i}`;
  }
  throw new Error(`no id with bucket ${target}`);
}

function generated() {
  const out = [];
  const split = (on) => [['on', on], ['off', 100000 - on]];
  const add = (id, on, note) => {
    const variants = split(on);
    const key = `${ROLLOUT_FLAG}${id}`;
    const v = { bucket_key: key, variants, expected: null, source: GENERATED };
    if (note) v.note = note;
    out.push(v);
  };
  // Plain ids across the usual rollout stages.
  for (const id of ['alice', 'bob', 'carol', 'dave', 'user-42', 'user-1000', '8c1f0a4e-2b7d-4c55-9f3e-0d6a1b2c3d4e']) {
    for (const on of [5000, 25000, 50000]) add(id, on);
  }
  // Boundary probes: bucket == weight-1 is the last bucket still "on"; bucket == weight is the first "off".
  for (const on of [5000, 10000, 25000, 50000]) {
    add(idWithBucket(on - 1, 100000), on, `bucket ${on - 1} of 100000: last bucket inside "on"`);
    add(idWithBucket(on, 100000), on, `bucket ${on} of 100000: first bucket outside "on"`);
  }
  // Zero weights.
  add('alice', 0, 'weight 0 for on: never on');
  add('alice', 100000, 'weight 0 for off: always on');
  out.push({ bucket_key: 'ejOoVL', variants: [['on', 0], ['off', 100000]], expected: null, source: GENERATED, note: 'hash 0, bucket 0: a zero-weight first variant still loses (strict <)' });
  out.push({ bucket_key: 'ceQdGm', variants: [['on', 100000], ['off', 0]], expected: null, source: GENERATED, note: 'hash 2^32-1, bucket 99999: a zero-weight last variant never wins' });
  // Non-ASCII ids: "expected" is the UTF-8 answer (flagd Go/Java/Python); flagd-core JS differs.
  for (const [id, on] of [['josé', 50000], ['José', 25000], ['Zoë', 50000], ['日本', 50000], ['用户-42', 25000], ['🚀', 50000], ['👩‍💻dev', 50000], ['naïve-ü', 5000]]) {
    add(id, on, 'non-ASCII: bucket_key hashed as UTF-8 bytes; flagd-core 4.x (JS) hashes UTF-16 code units instead, see flagd_core_js');
  }
  return out;
}

// ---------------------------------------------------------------- build / check
function finish(v) {
  const hash = utf8Hash(v.bucket_key);
  const out = { bucket_key: v.bucket_key, variants: v.variants, expected: v.expected, source: v.source, murmur3_x86_32: hash };
  if (v.note) out.note = v.note;
  return out;
}

function build() {
  const vectors = [];
  const problems = [];
  for (const v of published()) {
    const names = v.variants.map(([n]) => n);
    // 1. the published flag shape, through flagd-core (proves bucket_key is what it hashes)
    const r = v.reproduce;
    const targeting = { fractional: r.bucketExpr === null ? [...v.variants] : [r.bucketExpr, ...v.variants] };
    const viaShape = flagdCore(r.flagKey, targeting, r.ctx, names);
    // 2. bucket_key directly
    const viaKey = evalBucketKey(v.bucket_key, v.variants);
    if (viaShape !== v.expected || viaKey !== v.expected) {
      problems.push(`${v.bucket_key}: published ${v.expected}, flagd-core ${viaShape} (flag shape) / ${viaKey} (bucket_key)`);
    }
    vectors.push(finish(v));
  }
  for (const v of generated()) {
    const js = evalBucketKey(v.bucket_key, v.variants);
    const utf8 = pick(utf8Hash(v.bucket_key), v.variants);
    const out = finish({ ...v, expected: utf8 });
    if (!isAscii(v.bucket_key)) {
      out.flagd_core_js = js;
      out.flagd_core_js_hash = jsHash(v.bucket_key);
      out.source = 'murmur3 x86_32 of UTF-8 bytes, as flagd Go/Java/Python (computed); flagd_core_js from flagd-core 4.x (generated)';
    } else if (js !== utf8) {
      problems.push(`${v.bucket_key}: flagd-core ${js} but reference ${utf8}`);
    }
    vectors.push(out);
  }
  if (problems.length) throw new Error(`vectors disagree:\n  ${problems.join('\n  ')}`);
  return vectors;
}

function check(vectors) {
  let failures = 0;
  let confirmed = 0;
  let jsDiffers = 0;
  for (const v of vectors) {
    const fail = (msg) => {
      failures++;
      console.error(`FAIL ${JSON.stringify(v.bucket_key)}: ${msg}`);
    };
    const hash = utf8Hash(v.bucket_key);
    if (v.murmur3_x86_32 !== hash) fail(`murmur3_x86_32 ${v.murmur3_x86_32}, computed ${hash}`);
    const reference = pick(hash, v.variants);
    if (reference !== v.expected) fail(`expected ${v.expected}, reference algorithm gives ${reference}`);
    const js = evalBucketKey(v.bucket_key, v.variants);
    if (isAscii(v.bucket_key)) {
      if (jsHash(v.bucket_key) !== hash) fail('imurmurhash disagrees with murmur3 on an ASCII key');
      if (js !== v.expected) fail(`flagd-core resolves ${js}, fixture expects ${v.expected}`);
      else confirmed++;
    } else {
      if (!('flagd_core_js' in v)) fail('non-ASCII vector without flagd_core_js');
      else if (js !== v.flagd_core_js) fail(`flagd-core resolves ${js}, fixture flagd_core_js ${v.flagd_core_js}`);
      if (js !== v.expected) jsDiffers++;
    }
  }
  const nonAscii = vectors.filter((v) => !isAscii(v.bucket_key)).length;
  console.log(
    `${vectors.length} vectors: ${confirmed} ASCII vectors confirmed by flagd-core; ` +
      `${nonAscii} non-ASCII vectors checked against the UTF-8 reference (flagd-core picks a different variant for ${jsDiffers}); ` +
      `${failures} failures`,
  );
  return failures === 0;
}

if (process.argv.includes('--write')) {
  const vectors = build();
  writeFileSync(FIXTURE, '[\n' + vectors.map((v) => '  ' + JSON.stringify(v)).join(',\n') + '\n]\n');
  console.log(`wrote ${FIXTURE}`);
}
const ok = check(JSON.parse(readFileSync(FIXTURE, 'utf8')));
process.exit(ok ? 0 : 1);
