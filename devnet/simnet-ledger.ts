/**
 * The devnet's Clarity VM: Clarinet's simnet (`@stacks/clarinet-sdk`, the real Clarity VM compiled
 * to WASM), plus a log of every operation committed to it.
 *
 * Why the log: a Stacks node runs a contract call, checks the transaction's post-conditions against
 * the assets the call moved, and rolls the call back when they fail. The simnet has no snapshot or
 * rollback API (clarinet-sdk 3.21: every public call commits, and `callReadOnlyFn` refuses public
 * functions, so there is no dry run either). So a call is run for real and, when the caller refuses
 * its effects, the VM is rebuilt without it: `initSession` on the same manifest restores the
 * genesis session the SDK cached when it first loaded (about 30 ms), and the log is replayed. Only a
 * failed post-condition pays for a replay; every other transaction runs exactly once.
 *
 * The simnet's own chain tip advances once per operation (the SDK mines a block per call). Nothing
 * the devnet reports comes from it: block heights are the devnet's, kept by the miner.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClarityEvent,
  getSDK,
  type ParsedTransactionResult,
  type Simnet,
} from '@stacks/clarinet-sdk';
import { Cl, type ClarityValue } from '@stacks/transactions';

const PROJECT_DIR = fileURLToPath(new URL('./clarinet/', import.meta.url));

/**
 * Stacks 3.3 is the newest epoch live on mainnet when this was written; contracts deployed by the
 * devnet use the Clarity version that epoch defaults to.
 */
const EPOCH = '3.3';
const CLARITY_VERSION = 4;

export type LedgerOp =
  | { kind: 'deploy'; name: string; source: string; sender: string }
  | { kind: 'call'; contract: string; method: string; args: ClarityValue[]; sender: string }
  | { kind: 'transfer-stx'; amount: bigint; recipient: string; sender: string }
  | { kind: 'mint-stx'; amount: bigint; recipient: string };

/** What an operation did: its Clarity result and events, or the VM error that stopped it. */
export type OpOutcome =
  | { type: 'executed'; result: ClarityValue; events: ClarityEvent[] }
  | { type: 'vm-error'; message: string };

type ContractInterfaces = ReturnType<Simnet['getContractsInterfaces']>;
export type ContractInterface = ContractInterfaces extends Map<string, infer I> ? I : never;

export class SimnetLedger {
  private readonly log: LedgerOp[] = [];
  private interfaces: ContractInterfaces | undefined;

  private constructor(
    private readonly simnet: Simnet,
    private readonly manifestPath: string,
  ) {}

  /** Loads the WASM VM and the devnet's Clarinet project (offline: it has no requirements). */
  static async open(): Promise<SimnetLedger> {
    // The SDK writes a deployment plan next to the manifest it loads. It loads a copy in a temp
    // directory, so devnets started in parallel (test workers) never race on a file in the source
    // tree. The copy can go once loaded: resets come from the SDK's in-memory cache of it.
    const workDir = await mkdtemp(path.join(tmpdir(), 'x402-devnet-'));
    try {
      await cp(PROJECT_DIR, workDir, { recursive: true });
      // One SDK per ledger (not the memoised `initSimnet`): two devnets in one process never
      // share a VM.
      const simnet = await getSDK({ trackCosts: false, trackCoverage: false });
      const ledger = new SimnetLedger(simnet, path.join(workDir, 'Clarinet.toml'));
      // Writing the plan into the fresh copy is expected; drop the SDK's notice about it.
      const consoleLog = console.log;
      console.log = (...args: unknown[]) => {
        if (args[0] !== 'Updated deployment plan file') consoleLog(...args);
      };
      try {
        await ledger.resetToGenesis();
      } finally {
        console.log = consoleLog;
      }
      return ledger;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Runs an operation, commits whatever the VM committed, and logs it for replays. */
  run(op: LedgerOp): OpOutcome {
    this.log.push(op);
    return this.execute(op);
  }

  /**
   * Runs an operation and undoes it if `refuse` says so (a post-condition failed): the VM is
   * rebuilt from genesis and the log replayed without it. Returns the outcome either way.
   */
  async runUnless(op: LedgerOp, refuse: (outcome: OpOutcome) => boolean): Promise<OpOutcome> {
    const outcome = this.run(op);
    if (!refuse(outcome)) return outcome;
    this.log.pop();
    await this.resetToGenesis();
    for (const logged of this.log) this.execute(logged);
    return outcome;
  }

  /** The STX balance the VM holds for a principal, in µSTX. */
  stxBalance(principal: string): bigint {
    return this.simnet.getAssetsMap().get('STX')?.get(principal) ?? 0n;
  }

  /** Calls a read-only function (commits nothing); throws the VM's message if it fails. */
  callReadOnly(contract: string, method: string, args: ClarityValue[], sender: string) {
    return quietly(() => this.simnet.callReadOnlyFn(contract, method, args, sender).result);
  }

  contractInterface(contractId: string): ContractInterface | undefined {
    this.interfaces ??= this.simnet.getContractsInterfaces();
    return this.interfaces.get(contractId);
  }

  private execute(op: LedgerOp): OpOutcome {
    try {
      const parsed = quietly(() => this.dispatch(op));
      return { type: 'executed', result: parsed.result, events: parsed.events };
    } catch (error) {
      // The SDK throws a string when the VM stops a transaction (a runtime error such as an
      // arithmetic overflow); the VM has already rolled that transaction back.
      return { type: 'vm-error', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private dispatch(op: LedgerOp): ParsedTransactionResult {
    switch (op.kind) {
      case 'deploy': {
        const options = { clarityVersion: CLARITY_VERSION };
        const deployed = this.simnet.deployContract(op.name, op.source, options, op.sender);
        this.interfaces = undefined;
        return deployed;
      }
      case 'call':
        return this.simnet.callPublicFn(op.contract, op.method, op.args, op.sender);
      case 'transfer-stx':
        return this.simnet.transferSTX(op.amount, op.recipient, op.sender);
      case 'mint-stx':
        this.simnet.mintSTX(op.recipient, op.amount);
        // Minting is a genesis allocation, not a transaction: it has no Clarity result. Report the
        // credit as an event so the account book sees every STX movement the same way.
        return {
          result: Cl.ok(Cl.bool(true)),
          events: [
            {
              event: 'stx_mint_event',
              data: { amount: String(op.amount), recipient: op.recipient },
            },
          ],
          costs: null,
          performance: undefined,
        };
    }
  }

  private async resetToGenesis(): Promise<void> {
    await this.simnet.initSession(path.dirname(this.manifestPath), this.manifestPath, null);
    this.simnet.setEpoch(EPOCH);
    this.interfaces = undefined;
  }
}

/**
 * Runs a VM call with console.log and console.error muted. The simnet's logger hook echoes Clarity
 * `print` output to console.log (and again on every replay), and it writes runtime errors to
 * console.error before throwing them; the devnet reports both itself (transaction events, the
 * thrown message). VM calls are synchronous, so nothing else can log while the console is muted.
 */
function quietly<T>(call: () => T): T {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    return call();
  } finally {
    console.log = log;
    console.error = error;
  }
}
