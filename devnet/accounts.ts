/**
 * The standard Clarinet devnet accounts. Their mnemonics are public test fixtures printed in every
 * new Clarinet project's `settings/Devnet.toml`; never send real funds to these addresses.
 * Keys are derived with the Stacks wallet path m/44'/5757'/0'/0/0 (account index 0).
 */

import { getAddressFromPrivateKey } from '@stacks/transactions';
import { generateWallet } from '@stacks/wallet-sdk';

export type DevnetAccountName =
  | 'deployer'
  | 'wallet_1'
  | 'wallet_2'
  | 'wallet_3'
  | 'wallet_4'
  | 'wallet_5'
  | 'wallet_6'
  | 'wallet_7'
  | 'wallet_8'
  /** Clarinet's faucet account: the sponsor of sponsored payments locally (no test pays with it). */
  | 'faucet';

export interface DevnetAccountSeed {
  name: DevnetAccountName;
  mnemonic: string;
  /** The testnet address Clarinet prints for this mnemonic; checked against the derivation. */
  address: string;
}

export const DEVNET_ACCOUNT_SEEDS: readonly DevnetAccountSeed[] = [
  {
    name: 'deployer',
    mnemonic:
      'twice kind fence tip hidden tilt action fragile skin nothing glory cousin green tomorrow spring wrist shed math olympic multiply hip blue scout claw',
    address: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
  },
  {
    name: 'wallet_1',
    mnemonic:
      'sell invite acquire kitten bamboo drastic jelly vivid peace spawn twice guilt pave pen trash pretty park cube fragile unaware remain midnight betray rebuild',
    address: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
  },
  {
    name: 'wallet_2',
    mnemonic:
      'hold excess usual excess ring elephant install account glad dry fragile donkey gaze humble truck breeze nation gasp vacuum limb head keep delay hospital',
    address: 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG',
  },
  {
    name: 'wallet_3',
    mnemonic:
      'cycle puppy glare enroll cost improve round trend wrist mushroom scorpion tower claim oppose clever elephant dinosaur eight problem before frozen dune wagon high',
    address: 'ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC',
  },
  {
    name: 'wallet_4',
    mnemonic:
      'board list obtain sugar hour worth raven scout denial thunder horse logic fury scorpion fold genuine phrase wealth news aim below celery when cabin',
    address: 'ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND',
  },
  {
    name: 'wallet_5',
    mnemonic:
      'hurry aunt blame peanut heavy update captain human rice crime juice adult scale device promote vast project quiz unit note reform update climb purchase',
    address: 'ST2REHHS5J3CERCRBEPMGH7921Q6PYKAADT7JP2VB',
  },
  {
    name: 'wallet_6',
    mnemonic:
      'area desk dutch sign gold cricket dawn toward giggle vibrant indoor bench warfare wagon number tiny universe sand talk dilemma pottery bone trap buddy',
    address: 'ST3AM1A56AK2C1XAFJ4115ZSV26EB49BVQ10MGCS0',
  },
  {
    name: 'wallet_7',
    mnemonic:
      'prevent gallery kind limb income control noise together echo rival record wedding sense uncover school version force bleak nuclear include danger skirt enact arrow',
    address: 'ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ',
  },
  {
    name: 'wallet_8',
    mnemonic:
      'female adjust gallery certain visit token during great side clown fitness like hurt clip knife warm bench start reunion globe detail dream depend fortune',
    address: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
  },
  {
    name: 'faucet',
    mnemonic:
      'shadow private easily thought say logic fault paddle word top book during ignore notable orange flight clock image wealth health outside kitten belt reform',
    address: 'STNHKEPYEPJ8ET55ZZ0M5A34J0R3N5FM2CMMMAZ6',
  },
];

export interface DevnetAccount {
  name: DevnetAccountName;
  address: string;
  /** 33-byte compressed secp256k1 private key, hex (with the 01 compression suffix). */
  privateKey: string;
}

let derived: Promise<DevnetAccount[]> | undefined;

/** Derives every devnet account's key from its mnemonic (cached; about 100 ms in all). */
export function loadDevnetAccounts(): Promise<DevnetAccount[]> {
  derived ??= Promise.all(
    DEVNET_ACCOUNT_SEEDS.map(async (seed) => {
      const wallet = await generateWallet({ secretKey: seed.mnemonic, password: '' });
      const privateKey = wallet.accounts[0].stxPrivateKey;
      const address = getAddressFromPrivateKey(privateKey, 'testnet');
      if (address !== seed.address) {
        throw new Error(
          `devnet account ${seed.name}: derived ${address}, expected ${seed.address}`,
        );
      }
      return { name: seed.name, address, privateKey };
    }),
  );
  return derived;
}

export async function getDevnetAccount(name: DevnetAccountName): Promise<DevnetAccount> {
  const account = (await loadDevnetAccounts()).find((a) => a.name === name);
  if (!account) throw new Error(`unknown devnet account ${name}`);
  return account;
}

export function isDevnetAccountName(name: string): name is DevnetAccountName {
  return DEVNET_ACCOUNT_SEEDS.some((seed) => seed.name === name);
}
