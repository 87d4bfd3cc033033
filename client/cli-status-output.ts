/** What `npm run pay -- --status PAYMENT_ID` prints: a payment's status and its history. */
import {
  assetIdFor,
  CAIP2_NETWORK,
  type StacksNetworkName,
  TOKEN_TYPES,
  TOKENS,
} from '../src/stacks/tokens';
import { formatUnits } from './cli-output';
import type { PaymentStatusReport } from './payment-status';

/** `1000 microSTX (0.001 STX)`, or `1000 (atomic units of ASSET)` for an asset we do not list. */
export function formatAssetAmount(amount: string, asset: string, network: string): string {
  const networkName = (Object.keys(CAIP2_NETWORK) as StacksNetworkName[]).find(
    (name) => CAIP2_NETWORK[name] === network,
  );
  const token =
    networkName === undefined
      ? undefined
      : TOKEN_TYPES.find((type) => assetIdFor(type, networkName) === asset);
  if (token === undefined || !/^[0-9]+$/.test(amount)) {
    return `${amount} (atomic units of ${asset})`;
  }
  const { atomicUnit, decimals } = TOKENS[token];
  return `${amount} ${atomicUnit} (${formatUnits(amount, decimals)} ${token})`;
}

export function formatStatusReport(report: PaymentStatusReport): string[] {
  const { asset, network } = report;
  const lines = [
    `Payment ${report.paymentId}: ${report.status}`,
    `  ${report.route}, ${formatAssetAmount(report.amount, asset, network)} on ${network}`,
    `  tx ${report.txid}, payer ${report.payer}`,
    `  created ${report.createdAt}, updated ${report.updatedAt}`,
  ];
  if (report.confirmedAt !== undefined || report.blockHeight !== undefined) {
    const at = report.confirmedAt === undefined ? '' : ` ${report.confirmedAt}`;
    const block = report.blockHeight === undefined ? '' : ` in block ${report.blockHeight}`;
    lines.push(`  confirmed${at}${block}`);
  }
  if (report.delivery !== undefined || report.delivered !== undefined) {
    const mode = report.delivery === undefined ? '' : ` at ${report.delivery}`;
    const done =
      report.delivered === undefined
        ? ''
        : report.delivered
          ? ', delivered'
          : ', not delivered yet';
    lines.push(`  delivery${mode}${done}`);
  }
  if (report.terminalReason !== undefined) lines.push(`  reason: ${report.terminalReason}`);
  if (report.owedAmount !== undefined) {
    lines.push(`  owed to the payer: ${formatAssetAmount(report.owedAmount, asset, network)}`);
  }
  lines.push('History:');
  for (const event of report.history) {
    const reason = event.reason === undefined ? '' : ` (${event.reason})`;
    lines.push(`  ${event.at}  ${event.status}${reason}`);
  }
  lines.push(`Status URL: ${report.checkStatusUrl}`);
  return lines;
}
