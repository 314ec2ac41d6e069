// Shopify never hands out an operation id twice, so a state that outlives one sandbox process must
// never meet its ids again from the next one (issue 13, point 2: `npm run demo` twice).
import { expect } from 'chai';
import { startSandbox } from '../src/index.ts';
import { runQuery } from './support/client.ts';

const SIZE = { orders: 1, products: 1, customers: 1, locations: 1, collections: 1 };
const QUERY = '{ products { edges { node { id } } } }';

async function idsOfOneSandbox(count: number): Promise<string[]> {
  const sandbox = await startSandbox({ size: SIZE, operationDelayMs: 1 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { op, userErrors } = await runQuery(sandbox, '2026-04', QUERY);
      expect(userErrors).to.deep.equal([]);
      ids.push(op!.id);
    }
    return ids;
  } finally {
    await sandbox.close();
  }
}

describe('sandbox operation ids', () => {
  it('never repeat across sandbox restarts, and keep growing like Shopify\'s numeric GIDs', async () => {
    const first = await idsOfOneSandbox(3);
    const second = await idsOfOneSandbox(3);
    const numbers = [...first, ...second].map((id) => {
      expect(id).to.match(/^gid:\/\/shopify\/BulkOperation\/[1-9]\d{12,15}$/);
      return BigInt(id.slice(id.lastIndexOf('/') + 1));
    });
    expect(second.filter((id) => first.includes(id))).to.deep.equal([]);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]! > numbers[i - 1]!, `${numbers[i]} after ${numbers[i - 1]}`).to.equal(true);
  });
});
