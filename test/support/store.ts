// Changes to the sandbox store between runs, made at the next whole second: Shopify's times are whole
// seconds, so a change stamped so lies after every window a run before it read and within the next.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sandbox } from 'shopify-sandbox';

/** Makes `change` at the next whole second and lets that second pass. */
export async function atNextSecond<T>(change: (at: Date) => T): Promise<T> {
  const at = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
  const made = change(at);
  await sleep(at.getTime() - Date.now() + 5);
  return made;
}

/** Deletes records at the next whole second, so a destroy event's time lies in the next run's window. */
export function removeRecords(sandbox: Sandbox, entity: string, gids: readonly string[], events: boolean): Promise<void> {
  return atNextSecond((at) => sandbox.store.remove({ entity, gids, events, at }));
}
