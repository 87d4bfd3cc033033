/**
 * Stacks principals as text: a c32check address (`S` + version character + c32 of hash160 and
 * checksum), optionally `.` and a contract name. Only the version differs between networks
 * (SIP-005 "Transaction Authorization": single-sig 22 `P` on mainnet, 26 `T` on testnet;
 * multi-sig 20 `M` on mainnet, 21 `N` on testnet), so converting keeps the hash and the name.
 */
import {
  AddressVersion,
  addressFromVersionHash,
  addressToString,
  createAddress,
} from '@stacks/transactions';
import type { StacksNetworkName } from '../tokens';
import { CONTRACT_NAME, MAX_NAME_LENGTH } from './deserialize';

export type AddressKind = 'single-sig' | 'multi-sig';

/** A principal as a Clarity value holds it: any address version (0-31), as the node's decoder. */
export interface PrincipalValue {
  /** The standard address part (`SP…`), as given. */
  address: string;
  contractName?: string;
  version: number;
  /** 40 lower-case hex digits. */
  hash160: string;
}

/** A principal of a Stacks network: a standard address version (SP, SM, ST or SN). */
export interface ParsedPrincipal extends PrincipalValue {
  version: AddressVersion;
  network: StacksNetworkName;
  kind: AddressKind;
}

export type PrincipalValueParse =
  | { ok: true; principal: PrincipalValue }
  | { ok: false; reason: string };

export type PrincipalParse =
  | { ok: true; principal: ParsedPrincipal }
  | { ok: false; reason: string };

const VERSIONS: Record<StacksNetworkName, Record<AddressKind, AddressVersion>> = {
  mainnet: {
    'single-sig': AddressVersion.MainnetSingleSig,
    'multi-sig': AddressVersion.MainnetMultiSig,
  },
  testnet: {
    'single-sig': AddressVersion.TestnetSingleSig,
    'multi-sig': AddressVersion.TestnetMultiSig,
  },
};

const NETWORK_OF_VERSION = new Map<
  number,
  { version: AddressVersion; network: StacksNetworkName; kind: AddressKind }
>(
  (Object.keys(VERSIONS) as StacksNetworkName[]).flatMap((network) =>
    (Object.keys(VERSIONS[network]) as AddressKind[]).map((kind) => {
      const version = VERSIONS[network][kind];
      return [version, { version, network, kind }] as const;
    }),
  ),
);

/**
 * The c32 alphabet in its canonical (upper-case) spelling. c32check decoders also read lower
 * case and O/I/L as 0/1/1; we do not, so one principal has one spelling here.
 */
const C32_ADDRESS = /^S[0-9A-HJKMNP-TV-Z]+$/;

/**
 * A principal as a Clarity value may hold it (a standard or contract principal in the JSON form of
 * a value): canonical c32, a valid checksum and contract name, any address version (0-31), as the
 * node decodes principal values.
 */
export function parsePrincipalValue(input: string): PrincipalValueParse {
  const dot = input.indexOf('.');
  const address = dot === -1 ? input : input.slice(0, dot);
  const contractName = dot === -1 ? undefined : input.slice(dot + 1);
  if (!C32_ADDRESS.test(address)) {
    return {
      ok: false,
      reason:
        'a Stacks address is S followed by upper-case c32 characters (0-9 and A-Z without I, L, O, U)',
    };
  }
  let version: number;
  let hash160: string;
  try {
    ({ version, hash160 } = createAddress(address));
  } catch {
    return {
      ok: false,
      reason: `${address} fails its c32check checksum (a typo, or a truncated address)`,
    };
  }
  if (!/^[0-9a-f]{40}$/.test(hash160) || canonicalAddress(version, hash160) !== address) {
    return { ok: false, reason: `${address} does not encode a 20-byte hash160 in canonical c32` };
  }
  if (contractName !== undefined) {
    const problem = contractNameProblem(contractName);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, principal: { address, contractName, version, hash160 } };
}

/** A principal of a Stacks network (mainnet or testnet), standard or contract. */
export function parsePrincipal(input: string): PrincipalParse {
  const parsed = parsePrincipalValue(input);
  if (!parsed.ok) return parsed;
  const { address, version } = parsed.principal;
  const known = NETWORK_OF_VERSION.get(version);
  if (!known) {
    return {
      ok: false,
      reason: `${address} has address version ${version}; Stacks addresses use 22 (SP), 20 (SM), 26 (ST) or 21 (SN)`,
    };
  }
  return { ok: true, principal: { ...parsed.principal, ...known } };
}

/** Why a contract name is invalid (stacks-core ContractName: 1-128 bytes, letter first), if it is. */
export function contractNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !CONTRACT_NAME.test(name)) {
    return `"${name}" is not a contract name: 1 to ${MAX_NAME_LENGTH} characters, a letter then letters, digits, - or _`;
  }
  return undefined;
}

/** The same principal on `network`: same hash160, same contract name, the network's version. */
export function principalOnNetwork(principal: ParsedPrincipal, network: StacksNetworkName): string {
  const address = canonicalAddress(VERSIONS[network][principal.kind], principal.hash160);
  return principal.contractName === undefined ? address : `${address}.${principal.contractName}`;
}

function canonicalAddress(version: number, hash160: string): string {
  return addressToString(addressFromVersionHash(version, hash160));
}
