// An independent LaunchDarkly evaluator for the parity test, written from LaunchDarkly's
// documented algorithm (and its Node SDK's bucketing: SHA-1 of "flagKey.salt.key", or
// "seed.key" with a rollout seed; the first 15 hex digits over 0xFFFFFFFFFFFFFFF; walk the
// rollout's weights in thousandths of a percent). Node built-ins only.
//
// usage: node eval.mjs FLAG_JSON ENV IDS_FILE  → prints the ids served `true`, one a line.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [flagFile, envKey, idsFile] = process.argv.slice(2);
const flag = JSON.parse(readFileSync(flagFile, 'utf8'));
const env = flag.environments[envKey];
const ids = readFileSync(idsFile, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);

function bucket(key, rollout) {
  const input = rollout.seed != null ? `${rollout.seed}.${key}` : `${flag.key}.${env.salt}.${key}`;
  const hex = createHash('sha1').update(input).digest('hex').slice(0, 15);
  return parseInt(hex, 16) / 0xfffffffffffffff;
}

function variation(key) {
  if (!env.on) return env.offVariation;
  for (const t of env.targets ?? []) {
    if ((t.contextKind ?? 'user') === 'user' && t.values.includes(key)) return t.variation;
  }
  // Rules match context attributes; the ids here carry none but their key.
  const f = env.fallthrough;
  if (f.variation != null) return f.variation;
  const b = bucket(key, f.rollout);
  let sum = 0;
  for (const wv of f.rollout.variations) {
    sum += wv.weight / 100000;
    if (b < sum) return wv.variation;
  }
  return f.rollout.variations[f.rollout.variations.length - 1].variation;
}

const out = ids.filter((id) => flag.variations[variation(id)].value === true);
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
