/**
 * The tokens we accept, per network. The one place that lists contract ids, FT asset names and
 * decimals (DESIGN section 3); the 402 challenge, verification, `GET /`, the devnet and the client
 * all read this table.
 */
export type StacksNetworkName = 'mainnet' | 'testnet';
export type TokenType = 'STX' | 'sBTC' | 'USDCx';

export const TOKEN_TYPES: readonly TokenType[] = ['STX', 'sBTC', 'USDCx'];

/** CAIP-2 network ids used in x402 `network` fields. */
export const CAIP2_NETWORK: Record<StacksNetworkName, string> = {
  mainnet: 'stacks:1',
  testnet: 'stacks:2147483648',
};

export const CHAIN_ID: Record<StacksNetworkName, number> = {
  mainnet: 0x00000001,
  testnet: 0x80000000,
};

/** Transaction version byte (first byte of a serialized transaction). */
export const TRANSACTION_VERSION: Record<StacksNetworkName, number> = {
  mainnet: 0x00,
  testnet: 0x80,
};

export interface FungibleTokenInfo {
  /** Deployer address of the token contract. */
  address: string;
  contractName: string;
  /** The `define-fungible-token` name inside the contract (used by post-conditions). */
  assetName: string;
}

export interface TokenInfo {
  type: TokenType;
  decimals: number;
  /** Name of the atomic unit, for people reading prices. */
  atomicUnit: string;
  /** Absent for STX, which is the native token. */
  contract?: Record<StacksNetworkName, FungibleTokenInfo>;
}

export const TOKENS: Record<TokenType, TokenInfo> = {
  STX: { type: 'STX', decimals: 6, atomicUnit: 'microSTX' },
  sBTC: {
    type: 'sBTC',
    decimals: 8,
    atomicUnit: 'sats',
    contract: {
      mainnet: {
        address: 'SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4',
        contractName: 'sbtc-token',
        assetName: 'sbtc-token',
      },
      testnet: {
        address: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT',
        contractName: 'sbtc-token',
        assetName: 'sbtc-token',
      },
    },
  },
  USDCx: {
    type: 'USDCx',
    decimals: 6,
    atomicUnit: 'microUSDCx',
    contract: {
      mainnet: {
        address: 'SP120SBRBQJ00MCWS7TM5R8WJNTTKD5K0HFRC2CNE',
        contractName: 'usdcx',
        assetName: 'usdcx-token',
      },
      testnet: {
        address: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
        contractName: 'usdcx',
        assetName: 'usdcx-token',
      },
    },
  },
};

/** `"STX"` or the bare contract principal: the x402 `asset` field for a token on a network. */
export function assetIdFor(token: TokenType, network: StacksNetworkName): string {
  const contract = TOKENS[token].contract?.[network];
  return contract ? `${contract.address}.${contract.contractName}` : 'STX';
}

/** Reads a client's token preference (`X-PAYMENT-TOKEN-TYPE` / `?tokenType=`); USDC is an alias of USDCx. */
export function parseTokenType(value: string | null | undefined): TokenType | undefined {
  switch (value?.trim().toUpperCase()) {
    case 'STX':
      return 'STX';
    case 'SBTC':
      return 'sBTC';
    case 'USDCX':
    case 'USDC':
      return 'USDCx';
    default:
      return undefined;
  }
}
