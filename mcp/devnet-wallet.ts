/**
 * The one place the MCP server touches the devnet: with no wallet configured against a local API,
 * it pays from the devnet's `wallet_1`, whose keys are public test fixtures.
 */
import { getDevnetAccount } from '../devnet/accounts';

export async function devnetDefaultKey(): Promise<{ privateKey: string; label: string }> {
  const account = await getDevnetAccount('wallet_1');
  return { privateKey: account.privateKey, label: 'devnet wallet_1' };
}
