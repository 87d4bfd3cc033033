/**
 * The paying key, from the configuration: a hex private key, a mnemonic (the first account on the
 * Stacks derivation path m/44'/5757'/0'/0/0, as Leather and Xverse derive it), or the devnet's
 * `wallet_1` locally.
 */
import { getAddressFromPrivateKey } from '@stacks/transactions';
import { generateWallet } from '@stacks/wallet-sdk';
import type { WalletSource } from './config';
import { McpConfigError } from './config';
import { devnetDefaultKey } from './devnet-wallet';

export interface PayingKey {
  privateKey: string;
  /** Where the key came from, for the start-up line on stderr. */
  label: string;
}

export async function resolvePayingKey(source: WalletSource): Promise<PayingKey> {
  switch (source.type) {
    case 'private_key':
      return { privateKey: checkedKey(source.privateKey), label: 'X402_PRIVATE_KEY' };
    case 'mnemonic':
      return { privateKey: await keyFromMnemonic(source.mnemonic), label: 'X402_MNEMONIC' };
    case 'devnet_default':
      return devnetDefaultKey();
  }
}

function checkedKey(privateKey: string): string {
  try {
    getAddressFromPrivateKey(privateKey, 'testnet');
  } catch (error) {
    throw new McpConfigError('X402_PRIVATE_KEY is not a valid secp256k1 private key', {
      cause: error,
    });
  }
  return privateKey;
}

async function keyFromMnemonic(mnemonic: string): Promise<string> {
  try {
    const wallet = await generateWallet({ secretKey: mnemonic, password: '' });
    return wallet.accounts[0].stxPrivateKey;
  } catch (error) {
    throw new McpConfigError('X402_MNEMONIC is not a valid BIP-39 mnemonic', { cause: error });
  }
}
