/**
 * BNS names of the devnet accounts (`deployer.btc`, `wallet1.btc` … `wallet8.btc`), so routes that
 * resolve names have something to resolve. They exist from genesis like names imported at the
 * Stacks 2.0 launch: no registration transaction, and in the `.btc` namespace, whose names do not
 * expire. The shapes are the Hiro API's BNS v1 endpoints (stacks-blockchain-api
 * src/api/routes/v1/bns/names.ts and addresses.ts).
 */
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DEVNET_ACCOUNT_SEEDS, type DevnetAccountName } from './accounts.ts';

export interface BnsName {
  /** Fully qualified: `wallet1.btc`. */
  name: string;
  address: string;
  zonefile: string;
  /** hash160 of the zonefile (BNS v1's zonefile hash), 40 hex digits. */
  zonefileHash: string;
}

const NAMESPACE = 'btc';

/** `deployer` -> `deployer.btc`, `wallet_1` -> `wallet1.btc`. */
export function bnsNameOf(account: DevnetAccountName): string {
  return `${account.replace('_', '')}.${NAMESPACE}`;
}

export const DEVNET_NAMES: readonly BnsName[] = DEVNET_ACCOUNT_SEEDS.map((seed) => {
  const name = bnsNameOf(seed.name);
  // The zonefile every BNS v1 name carries: where its profile lives. The devnet serves no Gaia
  // hub; the URL only gives the zonefile its usual shape.
  const zonefile = `$ORIGIN ${name}\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t"https://gaia.hiro.so/hub/${seed.address}/profile.json"\n\n`;
  const zonefileHash = Buffer.from(ripemd160(sha256(Buffer.from(zonefile, 'utf8')))).toString(
    'hex',
  );
  return { name, address: seed.address, zonefile, zonefileHash };
});

/** `GET /v1/names/{name}` body, or undefined for a name the devnet does not know. */
export function nameInfo(name: string): Record<string, unknown> | undefined {
  const found = DEVNET_NAMES.find((candidate) => candidate.name === name.toLowerCase());
  if (!found) return undefined;
  // The Hiro API leaves out null fields (`resolver`, `grace_period`); an imported name has no
  // registration transaction, so `last_txid` is empty, and `status` is the BNS operation that
  // created it.
  return {
    address: found.address,
    blockchain: 'stacks',
    expire_block: 0,
    last_txid: '',
    status: 'name-register',
    zonefile: found.zonefile,
    zonefile_hash: found.zonefileHash,
  };
}

/** `GET /v1/addresses/stacks/{address}`: the names the address owns. */
export function namesOwnedBy(address: string): string[] {
  return DEVNET_NAMES.filter((entry) => entry.address === address).map((entry) => entry.name);
}
