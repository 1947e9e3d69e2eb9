import { startStack, type Stack, type StackOptions } from './stack.js';
import { ADMIN, ALICE, login } from './graphql.js';

/** The running supergraph with the demo customer and admin signed in. */
export async function startShop(options?: StackOptions): Promise<{ stack: Stack; alice: string; admin: string }> {
  const stack = await startStack(options);
  try {
    return {
      stack,
      alice: await login(stack.gatewayUrl, ALICE.email, ALICE.password),
      admin: await login(stack.gatewayUrl, ADMIN.email, ADMIN.password),
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
