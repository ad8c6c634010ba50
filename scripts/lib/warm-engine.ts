import type { Engine } from '../../src/engine/engine';

/**
 * The state a host's engine reaches before the user's swipes, less the synthetic swipes (V8
 * tiering, which the tools either time on their own or have done already): warmup(), then
 * tierUp(0), which for a stateless predictor computes every context in the prefix cache.
 */
export async function warmEngine(e: Pick<Engine, 'warmup' | 'tierUp'>): Promise<void> {
  await e.warmup();
  await e.tierUp(0);
}
