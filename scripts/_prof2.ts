import { readJsonl, DATA } from './lib/cli';
import { nodeEngine } from './lib/node-engine';
import { resolve } from 'node:path';
const eng = await nodeEngine(resolve('public/models/swipe-v1'), { lexicon: 'lexicon.bin' });
await eng.warmup();
const traces: any[] = [];
const N = Number(process.env.N ?? 300);
for await (const t of readJsonl(resolve(DATA, 'hws/dev.jsonl.gz'))) { if (traces.length >= N) break; traces.push(t); }
for (const floor of (process.env.FL ?? '0,1,2,4').split(',').map(Number)) {
  for (const ms of [20]) {
  (globalThis as any).__FLOOR = floor; if (floor < 0) (globalThis as any).__FLOOR = undefined;
  let tot = 0, top1 = 0, top4 = 0; const times: number[] = [];
  for (const t of traces) {
    const t0 = performance.now();
    const r = await eng.tryDecode({ points: t.points, width: t.width, height: t.height, layout: 'qwerty' }, { maxSymbolsPerFrame: ms } as any);
    const dt = performance.now() - t0; tot += dt; times.push(dt);
    if (r.ok) { const ws = r.words.map((w: any) => w.word.toLowerCase().replace(/'/g, '')); if (ws[0] === t.word) top1++; if (ws.slice(0, 4).includes(t.word)) top4++; }
  }
  times.sort((a, b) => a - b);
  console.log(`floor=${floor} maxSym=${ms}: mean ${(tot / N).toFixed(1)} ms p50 ${times[Math.floor(N * 0.5)]!.toFixed(1)} p95 ${times[Math.floor(N * 0.95)]!.toFixed(1)} top1 ${top1 / N} top4 ${top4 / N}`);
  }
}
