/**
 * Where the service's CPU goes: a V8 CPU profile (`node --cpu-prof`) summed by the layer each sample's
 * function belongs to. BENCH_PROFILE=1 runs the service with `--cpu-prof`; the runner prints this
 * breakdown after the table and keeps the profile (open it in Chrome DevTools or speedscope).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Layers, first match wins: a sample counts for the package or file of the function it is in. */
const LAYERS: [string, RegExp][] = [
  [
    'AWS SDK (marshalling, signing, HTTP to DynamoDB)',
    /node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//,
  ],
  [
    'JWT (passport, jsonwebtoken, jws)',
    /node_modules\/(passport|passport-jwt|jsonwebtoken|jws|jwa)\//,
  ],
  ['Rate limits (@nestjs/throttler)', /node_modules\/@nestjs\/throttler\//],
  [
    'Nest pipeline (router, guards, pipes, RxJS)',
    /node_modules\/(@nestjs|rxjs|reflect-metadata)\//,
  ],
  [
    'Fastify (routing, hooks, reply)',
    /node_modules\/(fastify|find-my-way|@fastify|light-my-request|avvio)\//,
  ],
  ['Logging (pino, sonic-boom)', /node_modules\/(pino|sonic-boom|@pinojs|fast-redact)/],
  ['Metrics (prom-client)', /node_modules\/prom-client\//],
  [
    'Validation (class-validator, class-transformer)',
    /node_modules\/class-(validator|transformer)\//,
  ],
  ['bcrypt', /node_modules\/bcrypt\//],
  ['Other packages', /node_modules\//],
  ['Service code (dist/)', /\/dist\//],
  [
    'Node: HTTP server and client, sockets, streams',
    /^node:(_http|http|net|internal\/(streams|stream_base|http))/,
  ],
  ['Node: other (timers, events, crypto, fs, …)', /^node:/],
];
const V8_ITSELF: Record<string, string> = {
  '(idle)': 'Idle',
  '(garbage collector)': 'Garbage collection',
  '(program)': 'V8 (compiler, runtime)',
  '(root)': 'V8 (compiler, runtime)',
};

/**
 * A JavaScript function's layer from its file; a native one (a socket write, JSON.stringify,
 * microtasks) counts for the JavaScript that called it.
 */
function layerOf(
  id: number,
  byId: Map<number, ProfileNode>,
  parentOf: Map<number, number>,
): string {
  const own = byId.get(id)!.callFrame;
  if (!own.url && own.functionName in V8_ITSELF) return V8_ITSELF[own.functionName];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const { url } = byId.get(at)!.callFrame;
    if (url) return LAYERS.find(([, pattern]) => pattern.test(url))?.[0] ?? 'Other';
  }
  return 'V8 (compiler, runtime)';
}

/** The newest `.cpuprofile` in `dir`. */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.length ? join(dir, files.sort().at(-1)!) : undefined;
}

/**
 * Busy CPU (idle excluded) of the service's main thread per layer, as a Markdown table. The profile
 * covers the whole run (seeding and warm-up included; bcrypt hashes on libuv's threads, not here).
 */
export function cpuBreakdown(file: string, requests: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const perLayer = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const layer = layerOf(id, byId, parentOf);
    perLayer.set(layer, (perLayer.get(layer) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  perLayer.delete('Idle');
  const busyUs = [...perLayer.values()].reduce((a, b) => a + b, 0);
  const rows = [...perLayer]
    .sort((a, b) => b[1] - a[1])
    .map(([layer, us]) => `| ${layer} | ${((100 * us) / busyUs).toFixed(1)} % |`);
  return [
    `Main-thread busy CPU ${(busyUs / 1e6).toFixed(1)} s over the whole run, ${requests} requests ` +
      `(seeding and warm-up included), from ${file}:`,
    '',
    '| Layer | Share of busy CPU |',
    '| --- | --- |',
    ...rows,
  ].join('\n');
}
