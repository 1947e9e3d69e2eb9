import { describe, expect } from 'vitest';
import { it } from './support/fixtures.js';
import { startProcess } from '../scripts/processes.js';
import { ROOT } from '../scripts/root.js';


describe('npm run example', () => {
  it('prints the whole checkout: sign-in, catalogue, order, read-back across services, cancellation', async ({ stack }) => {
    const example = startProcess(['--import', 'tsx', '--conditions=source', 'sdk/examples/checkout.ts'], { env: { SHOP_URL: `${stack.gatewayUrl}/graphql` }, cwd: ROOT });
    const code = await new Promise<number | null>((resolve) => example.child.once('exit', resolve));
    const output = example.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/1\. Signed in at .* as Alice Customer <alice@example\.com> \(CUSTOMER\)/);
    expect(output).toMatch(/2\. The catalogue has \d+ products/);
    expect(output).toMatch(/3\. Placed order [\w-]+: PENDING, total/);
    expect(output).toMatch(/4\. Read it back: the order \(orders service\) of Alice Customer \(users service\)/);
    expect(output).toMatch(/5\. Cancelled it: CANCELLED \(PENDING → CANCELLED\)/);
    expect(output).not.toMatch(/unavailable/);
  });
});
