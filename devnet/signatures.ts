/**
 * Transaction authorization checks a node runs before admitting a transaction (SIP-005): the origin
 * signature(s), the sponsor signature over the origin's sighash, low-S signatures only, and the
 * chain id. A failure is reported as the node does, as a `SignatureValidation` message.
 */
import {
  AddressVersion,
  AuthType,
  addressFromPublicKeys,
  isSingleSig,
  nextVerification,
  type SpendingCondition,
  type StacksTransactionWire,
  StacksWireType,
} from '@stacks/transactions';

/** Half the secp256k1 group order: stacks-core refuses signatures whose S is above it. */
const SECP256K1_HALF_ORDER = BigInt(
  '0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0',
);

/** Returns why the authorization is invalid, or undefined when it verifies. */
export function authorizationError(
  wire: StacksTransactionWire,
  txid: string,
  expectedChainId: number,
): string | undefined {
  const auth = wire.auth;
  const conditions =
    auth.authType === AuthType.Sponsored
      ? [auth.spendingCondition, auth.sponsorSpendingCondition]
      : [auth.spendingCondition];
  if (conditions.some(hasHighS)) return 'Invalid signature: high-S';

  let originSigHash: string;
  try {
    originSigHash = wire.verifyOrigin();
  } catch (error) {
    return `Failed to verify origin: ${describe(error)}`;
  }
  if (auth.authType === AuthType.Sponsored) {
    const sponsorError = sponsorSignatureError(auth.sponsorSpendingCondition, originSigHash);
    if (sponsorError) return sponsorError;
  }
  if (wire.chainId !== expectedChainId) {
    // stacks-core checks the chain id after the signatures, with this message.
    return `Invalid tx ${txid}: invalid chain ID ${wire.chainId} (expected ${expectedChainId})`;
  }
  return undefined;
}

/** SIP-005: the sponsor signs the origin's final sighash, with the sponsored auth flag. */
function sponsorSignatureError(
  condition: SpendingCondition,
  originSigHash: string,
): string | undefined {
  if (!isSingleSig(condition)) return 'The devnet verifies single-signature sponsors only';
  try {
    const { pubKey } = nextVerification(
      originSigHash,
      AuthType.Sponsored,
      condition.fee,
      condition.nonce,
      condition.keyEncoding,
      condition.signature.data,
    );
    // The version byte plays no part in the hash; only the signer hash is compared.
    const version = AddressVersion.TestnetSingleSig;
    const signer = addressFromPublicKeys(version, condition.hashMode, 1, [pubKey]).hash160;
    if (signer !== condition.signer) {
      return `Failed to verify sponsor: signer hash ${signer} != ${condition.signer}`;
    }
    return undefined;
  } catch (error) {
    return `Failed to verify sponsor: ${describe(error)}`;
  }
}

function hasHighS(condition: SpendingCondition): boolean {
  const signatures = isSingleSig(condition)
    ? [condition.signature.data]
    : condition.fields.flatMap((field) =>
        field.contents.type === StacksWireType.MessageSignature ? [field.contents.data] : [],
      );
  // Recoverable signatures are V (1 byte) || R (32) || S (32), hex encoded.
  return signatures.some((signature) => {
    const s = signature.slice(66, 130);
    return s.length === 64 && BigInt(`0x${s}`) > SECP256K1_HALF_ORDER;
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
